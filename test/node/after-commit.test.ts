import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { AfterCommit } from '../../src/node/sqlite/after-commit'

// Over a real connection: the doubt follows SQLite's own transaction state.
function setup() {
  const db = new Database(':memory:')
  db.exec('CREATE TABLE t (v INTEGER)')
  return { db, memory: new AfterCommit(db) }
}

describe('AfterCommit', () => {
  it('is not in doubt after a write that committed on its own', () => {
    const { memory } = setup()
    expect(memory.nested).toBe(false)
    memory.committed()
    expect(memory.inDoubt).toBe(false)
    expect(memory.take()).toBe('none')
    expect(memory.takeOutside()).toBe(false)
  })

  it('keeps the doubt while the caller’s transaction is open and hands it over once, after', () => {
    const { db, memory } = setup()
    db.prepare('BEGIN').run()
    expect(memory.nested).toBe(true)
    memory.wroteInside('head')
    expect(memory.take()).toBe('head')
    expect(memory.inDoubt).toBe(true) // still open: it may roll back
    expect(memory.takeOutside()).toBe(false)
    db.prepare('ROLLBACK').run()
    expect(memory.takeOutside()).toBe(true)
    expect(memory.inDoubt).toBe(false)
    expect(memory.takeOutside()).toBe(false)
  })

  it('never lowers a doubt: all stays all when a head-only write follows', () => {
    const { db, memory } = setup()
    db.transaction(() => {
      memory.wroteInside('all')
      memory.wroteInside('head')
    })()
    expect(memory.take()).toBe('all')
    expect(memory.take()).toBe('none')
  })

  it('raises head to all', () => {
    const { db, memory } = setup()
    db.transaction(() => {
      memory.wroteInside('head')
      memory.wroteInside('all')
    })()
    expect(memory.take()).toBe('all')
  })
})
