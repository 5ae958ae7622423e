import type { FastifyInstance, FastifyReply } from 'fastify'
import Decimal from 'decimal.js'
import { z } from 'zod'
import { BillingError } from '../../shared/errors'
import { MONEY_ROUNDING } from '../../shared/money'
import type { RelayCore } from '../core'
import { CsvLangSchema } from '../reports/csv'
import { mrrAt, mrrMovement } from '../reports/mrr'
import { revenueCsv, revenueReport } from '../reports/service'
import { statement, statementCsv } from '../reports/statement'
import { taxCsv, taxReport } from '../reports/tax'
import type { ConsoleGuards } from './console'

// The console's reports (src/relay/reports), for any operator (read): JSON for the screens,
// `.csv` for Excel (reports/csv.ts: one rule for every report CSV, the header in ?lang).
// All calendar buckets are in the billing time zone (RELAY_BILLING_TIME_ZONE).

const ReportQuerySchema = z.object({
  from: z.coerce.number().int().min(0).default(0),
  to: z.coerce.number().int().positive().optional(),
  bucket: z.enum(['day', 'month', 'year']).default('month')
})
const RangeQuerySchema = z.object({ from: z.coerce.number().int().min(0).default(0), to: z.coerce.number().int().positive().optional() })
const StatementQuerySchema = z.object({ bucket: z.enum(['month', 'year']), period: z.string().max(10) })
const MrrQuerySchema = z.object({ at: z.coerce.number().int().min(0).optional() })
const MovementQuerySchema = z.object({ from: z.coerce.number().int().min(0), to: z.coerce.number().int().min(0).optional() })
const LangQuerySchema = z.object({ lang: CsvLangSchema })

function sendCsv(reply: FastifyReply, filename: string, csv: string): string {
  void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`)
  return csv
}

export function registerConsoleReportRoutes(app: FastifyInstance, core: RelayCore, guards: ConsoleGuards): void {
  const read = { preHandler: guards.operator('read') }
  const timeZone = core.config.invoicing.timeZone
  const lang = (query: unknown) => LangQuerySchema.parse(query).lang

  // Revenue from the ledger by day, month or year.
  const revenue = (query: unknown) => {
    const q = ReportQuerySchema.parse(query)
    return revenueReport(core.store, core.clock, { from: q.from, ...(q.to !== undefined ? { to: q.to } : {}), bucket: q.bucket, timeZone })
  }
  app.get('/v1/console/reports/revenue', read, async (req) => ({ report: await revenue(req.query) }))
  app.get('/v1/console/reports/revenue.csv', read, async (req, reply) => {
    const l = lang(req.query)
    return sendCsv(reply, 'revenue.csv', revenueCsv(await revenue(req.query), l))
  })

  // VAT per currency and rate from the invoices and credit notes (reports/tax.ts).
  const tax = (query: unknown) => {
    const q = RangeQuerySchema.parse(query)
    return taxReport(core.store, core.clock, { from: q.from, ...(q.to !== undefined ? { to: q.to } : {}), timeZone })
  }
  app.get('/v1/console/reports/tax', read, async (req) => ({ report: await tax(req.query) }))
  app.get('/v1/console/reports/tax.csv', read, async (req, reply) => {
    const l = lang(req.query)
    return sendCsv(reply, 'tax.csv', taxCsv(await tax(req.query), l))
  })

  // The monthly or annual statement (reports/statement.ts).
  const stated = (query: unknown) => statement(core.store, core.clock, { ...StatementQuerySchema.parse(query), timeZone })
  app.get('/v1/console/reports/statement', read, async (req) => ({ report: await stated(req.query) }))
  app.get('/v1/console/reports/statement.csv', read, async (req, reply) => {
    const l = lang(req.query)
    const s = await stated(req.query)
    return sendCsv(reply, `statement-${s.period}.csv`, statementCsv(s, l))
  })

  const running = (at: number) => core.store.read(async (tx) => tx.grants.runningAt(at))
  app.get('/v1/console/reports/mrr', read, async (req) => {
    const at = MrrQuerySchema.parse(req.query).at ?? core.clock.now()
    return { report: mrrAt(at, await running(at)) }
  })
  app.get('/v1/console/reports/mrr-movement', read, async (req) => {
    const q = MovementQuerySchema.parse(req.query)
    const to = q.to ?? core.clock.now()
    if (q.from >= to) throw new BillingError('INVALID_INPUT', 'from must be before to', { field: 'from' })
    return { report: mrrMovement(q.from, to, await running(q.from), await running(to)) }
  })

  // Trials decided in the range and how many of those accounts went on to pay for the plan.
  app.get('/v1/console/reports/trials', read, async (req) => {
    const q = MovementQuerySchema.parse(req.query)
    const to = q.to ?? core.clock.now() + 1
    const plans = await core.store.read(async (tx) => tx.trials.conversion(q.from, to))
    return { report: { from: q.from, to, plans: plans.map((p) => ({ ...p, rate: p.trials === 0 ? '0' : new Decimal(p.converted).dividedBy(p.trials).toDecimalPlaces(4, MONEY_ROUNDING).toString() })) } }
  })
}
