import { describe, expect, it } from 'vitest'
// @ts-expect-error plain ESM script without types
import { findViolations } from '../scripts/check-boundaries.mjs'

describe('runtime boundaries', () => {
  it('keeps electron in adapters and node out of shared and renderer code', () => {
    expect(findViolations()).toEqual([])
  })
})
