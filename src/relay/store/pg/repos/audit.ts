import type { AuditRepo } from '../../ports'
import { ms, ts, type Sql } from '../sql'

interface AuditColumns {
  seq: string
  id: string
  at: Date
  operator_id: string | null
  actor: string
  action: string
  target: string | null
  address: string | null
  before: string | null
  after: string | null
}

export function pgAudit(q: Sql): AuditRepo {
  return {
    record: async (e) => {
      await q.run('INSERT INTO audit_log (id, at, operator_id, actor, action, target, address, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
        e.id,
        ts(e.at),
        e.operatorId,
        e.actor,
        e.action,
        e.target,
        e.address,
        e.before,
        e.after
      ])
    },
    async list(query) {
      const where: string[] = []
      const args: unknown[] = []
      const add = (clause: string, value: unknown) => {
        args.push(value)
        where.push(clause.replace('?', `$${args.length}`))
      }
      if (query.beforeSeq !== undefined) add('seq < ?', query.beforeSeq)
      if (query.operatorId !== undefined) add('operator_id = ?', query.operatorId)
      if (query.action !== undefined) add('action = ?', query.action)
      if (query.from !== undefined) add('at >= ?', ts(query.from))
      if (query.to !== undefined) add('at < ?', ts(query.to))
      args.push(query.limit)
      const rows = await q.all<AuditColumns>(
        `SELECT seq, id, at, operator_id, actor, action, target, address, before, after FROM audit_log${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${args.length}`,
        args
      )
      return rows.map((r) => ({
        seq: Number(r.seq),
        id: r.id,
        at: ms(r.at),
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
