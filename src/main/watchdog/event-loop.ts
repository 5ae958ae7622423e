import { monitorEventLoopDelay } from 'node:perf_hooks'

// The module's own watchdog: while it runs JavaScript in the host's main process every window
// of the host is frozen, so it measures the longest time the event loop was kept from turning
// (perf_hooks' delay histogram: how late a timer firing every `resolutionMs` came). Shown in
// the sync state (`health.longestBlockMs`) for the host app and its logs; the budget and the
// figures are in docs/performance.md.

export interface BlockMeter {
  /** The longest event-loop block seen since the meter started, in ms (one decimal). */
  longestBlockMs(): number
  /**
   * A block timed by its caller. The histogram only sees delays between its own timer's ticks,
   * so the turn that starts the meter (opening the file, start-up) is timed this way.
   */
  record(ms: number): void
  close(): void
}

export function eventLoopMeter(resolutionMs = 10): BlockMeter {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs })
  histogram.enable()
  let recorded = 0
  return {
    longestBlockMs: () => Math.round(Math.max(histogram.max / 1e6, recorded) * 10) / 10,
    record: (ms) => void (recorded = Math.max(recorded, ms)),
    close: () => histogram.disable()
  }
}
