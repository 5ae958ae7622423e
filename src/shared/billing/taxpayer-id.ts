// 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character alphabet (no I, O, S, V, Z);
// the last is a check character: weights 3^i mod 31, check = 31 − (Σ mod 31), 31 → 0.
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

export type TaxpayerIdProblem = 'length' | 'character' | 'check'

/** Null when `id` is a valid unified social credit code, else what is wrong with it. */
export function taxpayerIdProblem(id: string): TaxpayerIdProblem | null {
  if (id.length !== 18) return 'length'
  let sum = 0
  for (let i = 0; i < 18; i++) {
    const v = ALPHABET.indexOf(id[i]!)
    if (v < 0) return 'character'
    if (i < 17) sum += v * WEIGHTS[i]!
  }
  const check = (31 - (sum % 31)) % 31
  return ALPHABET[check] === id[17] ? null : 'check'
}

/** The check character for the first 17 characters (tests and fixtures build valid codes with it). */
export function taxpayerIdCheckChar(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17[i]!) * WEIGHTS[i]!
  return ALPHABET[(31 - (sum % 31)) % 31]!
}
