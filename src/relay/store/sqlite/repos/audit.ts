import type Database from 'better-sqlite3'
import type { AuditEntry, AuditRepo } from '../../ports'

interface AuditColumns {
  seq: number
  id: string
  at: number
  operator_id: string | null
  actor: string
  action: string
  target: string | null
  address: string | null
  before: string | null
  after: string | null
}

export function sqliteAudit(s: Database.Database): AuditRepo {
  const record = s.prepare(
    'INSERT INTO audit_log (id, at, operator_id, actor, action, target, address, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'
  )
  return {
    record: (e: AuditEntry) => {
      record.run(e.id, e.at, e.operatorId, e.actor, e.action, e.target, e.address, e.before, e.after)
    },
    list(q) {
      const where: string[] = []
      const args: (string | number)[] = []
      if (q.beforeSeq !== undefined) where.push('seq < ?'), args.push(q.beforeSeq)
      if (q.operatorId !== undefined) where.push('operator_id = ?'), args.push(q.operatorId)
      if (q.action !== undefined) where.push('action = ?'), args.push(q.action)
      if (q.from !== undefined) where.push('at >= ?'), args.push(q.from)
      if (q.to !== undefined) where.push('at < ?'), args.push(q.to)
      const rows = s
        .prepare<(string | number)[], AuditColumns>(
          `SELECT seq, id, at, operator_id, actor, action, target, address, before, after FROM audit_log${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`
        )
        .all(...args, q.limit)
      return rows.map((r) => ({
        seq: r.seq,
        id: r.id,
        at: r.at,
        operatorId: r.operator_id,
        actor: r.actor,
        action: r.action,
        target: r.target,
        address: r.address,
        before: r.before,
        after: r.after
      }))
    }
  }
}
