// Time is injected so rules can be tested at any instant and the sync layer can
// substitute a tamper-aware clock. Epoch milliseconds, UTC.
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/** A clock the caller moves by hand: tests, the crash workload, benchmarks. */
export class ManualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t
  }
  set(t: number): void {
    this.t = t
  }
  advance(ms: number): void {
    this.t += ms
  }
}
