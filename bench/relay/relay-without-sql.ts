import { createRelay } from '../../src/relay/app'
import { loadConfig } from '../../src/relay/config/config'

// A measuring aid for bench/relay/notify.ts (BENCH_RELAY_WITHOUT_SQL=1), never a product
// entry point: the real relay (Fastify, the real Stripe adapter, the pipeline and its group
// commit) with the notification's SQL replaced by a no-op, so every event reads as applied and
// nothing is written. It shows what HTTP and verification alone cost against the floor.

const relay = createRelay(loadConfig(process.env))
const applier = relay.core.applier as unknown as Record<'apply' | 'audit', unknown>
applier.apply = () => ({ kind: 'applied' })
applier.audit = () => undefined
const url = await relay.start()
process.stderr.write(`relay (without SQL): listening on ${url}\n`)
process.on('SIGTERM', () => void relay.stop().then(() => process.exit(0)))
