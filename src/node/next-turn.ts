/**
 * Resolves on the event loop's next turn (after pending I/O callbacks): long sync work yields
 * here between bounded transactions, so the host's windows are never frozen by it for long.
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
