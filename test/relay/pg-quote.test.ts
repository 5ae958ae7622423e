import fc from 'fast-check'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { quote } from '../../src/relay/store/pg/sql'

// The PostgreSQL store inlines a queued write's values as quoted literals (sql.ts); its quoting
// must give exactly node-postgres' escapeLiteral text, for every string.

const escapeLiteral = (s: string) => new pg.Client().escapeLiteral(s)

describe('quoted literals of the PostgreSQL store', () => {
  it("quote() is node-postgres' escapeLiteral, for any string", () => {
    const tricky = fc.string({ unit: fc.constantFrom("'", '\\', '"', 'E', ' ', 'a', '直', '\n', '$') })
    const any = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), tricky)
    fc.assert(fc.property(any, (s) => quote(s) === escapeLiteral(s)), { numRuns: 2000 })
  })

  it('examples: quotes doubled; a backslash doubled too, in the E form', () => {
    expect(quote("O'Brien")).toBe("'O''Brien'")
    expect(quote('a\\b')).toBe(" E'a\\\\b'")
    expect(quote("it's a\\b")).toBe(" E'it''s a\\\\b'")
    expect(quote('')).toBe("''")
  })
})
