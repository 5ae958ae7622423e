// What the relay's report routes answer: the shapes are shared with the relay
// (src/shared/console/reports.ts); the tax report and the statement are in src/shared/console/api.ts.

export type { Bucket, MrrAt, MrrMovement, RevenueLine, RevenueReport, TrialsReport } from '../../../shared/console/reports'
