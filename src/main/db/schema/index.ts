// The app database's schema, one file per domain. drizzle-kit reads this file to
// generate migrations/app; `npm run db:generate` after any change here.
export * from './wallet'
export * from './subscriptions'
export * from './quotas'
export * from './sync'
export * from './integrity'
export * from './notifications'
export * from './coupons'
export * from './invoices'
