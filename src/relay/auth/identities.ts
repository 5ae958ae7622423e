import type { Accounts } from '../accounts/accounts'
import type { IdentityKind, StoreTx } from '../store/ports'

// A verified identity (a code that reached an address or number, or a host app's signed
// token) signs in to its account, made on first sight, and enrols the asking device: the
// same device token as an operator's enrolment code buys, so everything after is unchanged.

export interface SignedIn {
  accountId: string
  deviceId: string
  deviceToken: string
  /** The account was made by this sign-in. */
  newAccount: boolean
}

export async function signInIdentity(
  tx: StoreTx,
  accounts: Accounts,
  identity: { kind: IdentityKind; subject: string },
  deviceName: string,
  now: number
): Promise<SignedIn> {
  let accountId = await tx.signIn.accountOf(identity.kind, identity.subject)
  const newAccount = accountId === undefined
  if (accountId === undefined) {
    accountId = await accounts.createAccount(tx, null)
    await tx.signIn.insertIdentity(identity.kind, identity.subject, accountId, now)
  }
  return { ...(await accounts.enrolDevice(tx, accountId, deviceName)), newAccount }
}
