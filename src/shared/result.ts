import { type ErrorInfo, toErrorInfo } from './errors'

// What crosses IPC and HTTP: never a thrown error, always a Result.
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo }

export const ok = <T>(value: T): Result<T> => ({ ok: true, value })
export const fail = (error: ErrorInfo): Result<never> => ({ ok: false, error })

/** Runs `fn` and captures a thrown error as a failed Result. */
export async function toResult<T>(fn: () => T | Promise<T>): Promise<Result<T>> {
  try {
    return ok(await fn())
  } catch (err) {
    return fail(toErrorInfo(err))
  }
}
