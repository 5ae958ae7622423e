// Services keep what they committed in memory (balances, chain heads, counters, leases) and
// update it after their own transaction. A write made inside a caller's transaction cannot see
// that transaction's commit or rollback, so memory is then in doubt until the caller's
// transaction is over and is re-read from the file (or checked against it) before it is
// trusted. One mechanism for the wallet, the quotas and the subscription chain.

/** How much of memory a write inside a caller's transaction may have made wrong. */
export type Doubt = 'none' | 'head' | 'all'

export interface TransactionState {
  readonly inTransaction: boolean
}

export class AfterCommit {
  private doubt: Doubt = 'none'

  constructor(private readonly connection: TransactionState) {}

  /** Whether a write starting now runs inside a caller's transaction (ask before opening ours). */
  get nested(): boolean {
    return this.connection.inTransaction
  }

  /** Whether memory may be out of date with the file. */
  get inDoubt(): boolean {
    return this.doubt !== 'none'
  }

  /**
   * After a write of ours inside a caller's transaction: 'head' when memory was updated and a
   * rollback would show as a different chain head; 'all' when only a reload can tell.
   */
  wroteInside(doubt: 'head' | 'all'): void {
    if (doubt === 'all' || this.doubt === 'none') this.doubt = doubt
  }

  /** A write of ours committed on its own: memory is what the file holds. */
  committed(): void {
    this.doubt = 'none'
  }

  /**
   * The doubt to resolve now (reload, or check the head). It is kept while a transaction is
   * still open, since that transaction may yet roll back, and cleared once none is.
   */
  take(): Doubt {
    const doubt = this.doubt
    if (doubt !== 'none' && !this.connection.inTransaction) this.doubt = 'none'
    return doubt
  }

  /** True, once, when memory is in doubt and no transaction is open: the caller re-reads it now. */
  takeOutside(): boolean {
    if (this.doubt === 'none' || this.connection.inTransaction) return false
    this.doubt = 'none'
    return true
  }
}
