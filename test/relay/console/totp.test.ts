import { describe, expect, it } from 'vitest'
import { acceptTotp, base32Decode, base32Encode, hotp, otpauthUri, totpStep } from '../../../src/relay/console/totp'
import { hashPassword, verifyPassword } from '../../../src/relay/console/passwords'

// RFC 4226 appendix D and RFC 6238 appendix B (SHA-1) test vectors, then the acceptance rules.
const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii')

describe('TOTP', () => {
  it('matches the HOTP vectors of RFC 4226', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489']
    expect(expected.map((_, i) => hotp(RFC_SECRET, i))).toEqual(expected)
  })

  it('matches the SHA-1 vectors of RFC 6238 (8 digits)', () => {
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130']
    ]
    for (const [seconds, code] of vectors) expect(hotp(RFC_SECRET, totpStep(seconds * 1000), 8)).toBe(code)
  })

  it('round-trips base32 and accepts a code for the step before, at and after now, once', () => {
    const secret = base32Encode(RFC_SECRET)
    expect(secret).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')
    expect(base32Decode(secret)).toEqual(RFC_SECRET)
    const now = 1_700_000_000_000
    const step = totpStep(now)
    for (const s of [step - 1, step, step + 1]) expect(acceptTotp(secret, hotp(RFC_SECRET, s), now, null)).toBe(s)
    expect(acceptTotp(secret, hotp(RFC_SECRET, step - 2), now, null)).toBeNull()
    expect(acceptTotp(secret, hotp(RFC_SECRET, step), now, step)).toBeNull() // replayed
    expect(acceptTotp(secret, '12345', now, null)).toBeNull()
    expect(otpauthUri('Livestream Billing', 'ops@example.com', secret)).toBe(
      'otpauth://totp/Livestream%20Billing%3Aops%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Livestream%20Billing&algorithm=SHA1&digits=6&period=30'
    )
  })
})

describe('operator passwords (scrypt)', () => {
  it('verifies the password it hashed and nothing else; a malformed hash is a no', async () => {
    const stored = await hashPassword('correct horse battery staple')
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/)
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true)
    expect(await verifyPassword('correct horse battery stapl', stored)).toBe(false)
    expect(await verifyPassword('correct horse battery staple', 'plain-text')).toBe(false)
    expect(await hashPassword('correct horse battery staple')).not.toBe(stored) // salted
    await expect(hashPassword('short')).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })
})
