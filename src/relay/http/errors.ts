import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { ZodError } from 'zod'
import { BillingError, type ErrorCode } from '../../shared/errors'
import type { ErrorBody } from '../../shared/relay-contract'

// Every error answer is `{ error: { code, message, details? } }` with a stable code; the HTTP
// status follows the code. Unknown errors are logged and answered as INTERNAL without detail.

const STATUS: Partial<Record<ErrorCode, number>> = {
  INVALID_INPUT: 400,
  INVALID_AMOUNT: 400,
  CURRENCY_MISMATCH: 400,
  UNAUTHORIZED: 401,
  INSUFFICIENT_FUNDS: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  IDEMPOTENCY_CONFLICT: 409,
  INVALID_TRANSITION: 409,
  ALREADY_CLAIMED: 409,
  UNAVAILABLE: 503,
  METHOD_UNAVAILABLE: 422,
  COUPON_REFUSED: 409
}

export class RateLimited extends BillingError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'rate limit exceeded; retry later',
    details: Record<string, unknown> = {}
  ) {
    super('UNAVAILABLE', message, { ...details, retryAfterSeconds })
  }
}

export function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  let status: number
  let body: ErrorBody
  if (err instanceof RateLimited) {
    status = 429
    reply.header('retry-after', String(err.retryAfterSeconds))
    body = { error: err.toInfo() }
  } else if (err instanceof BillingError) {
    status = STATUS[err.code] ?? 500
    body = { error: err.toInfo() }
  } else if (err instanceof ZodError) {
    status = 400
    body = {
      error: {
        code: 'INVALID_INPUT',
        message: err.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
        details: { issues: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) }
      }
    }
  } else if ('statusCode' in err && typeof err.statusCode === 'number' && err.statusCode < 500) {
    status = err.statusCode
    body = { error: { code: 'INVALID_INPUT', message: err.message } }
  } else {
    req.log.error({ err }, 'unhandled error')
    status = 500
    body = { error: { code: 'INTERNAL', message: 'internal error' } }
  }
  if (status >= 400 && status < 500) req.log.info({ code: body.error.code, status }, 'request refused')
  void reply.status(status).send(body)
}
