// The one catalog module: plan codes and rank, billing periods, limits (null = unlimited),
// providers, and the built-in plan data. Every other place derives from it.
export * from './periods'
export * from './limits'
export * from './providers'
export * from './plans'
export * from './features'
export * from './document'
