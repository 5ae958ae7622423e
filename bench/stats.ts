// Small helpers for benchmark scripts: timing and percentiles. Figures are printed, never asserted.
export const nowNs = (): bigint => process.hrtime.bigint()

export function percentile(sortedNs: Float64Array | number[], p: number): number {
  const i = Math.min(sortedNs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedNs.length) - 1))
  return sortedNs[i]!
}

/**
 * Per-call latency in µs (median, p99). With batch = 1 every call is timed on its own, so the
 * figures include the clock read itself (about 0.03 µs here); a larger batch averages calls.
 */
export function latencyUs(fn: () => unknown, samples = 200_000, batch = 1): { median: number; p99: number } {
  for (let i = 0; i < 50_000; i++) fn() // warm-up for the JIT
  const per = new Float64Array(samples)
  for (let s = 0; s < samples; s++) {
    const t = nowNs()
    for (let b = 0; b < batch; b++) fn()
    per[s] = Number(nowNs() - t) / batch / 1000
  }
  per.sort()
  return { median: round(percentile(per, 50)), p99: round(percentile(per, 99)) }
}

/** Operations per second of `fn(i)` over `count` calls (after a short warm-up). */
export function opsPerSecond(fn: (i: number) => unknown, count: number, warmup = 200): number {
  for (let i = 0; i < warmup; i++) fn(-1 - i)
  const t = nowNs()
  for (let i = 0; i < count; i++) fn(i)
  const seconds = Number(nowNs() - t) / 1e9
  return Math.round(count / seconds)
}

export const round = (x: number, digits = 3): number => Number(x.toFixed(digits))
