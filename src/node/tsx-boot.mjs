// Sources only (tests, tsx, the relay): a worker thread registers tsx's loader, then runs the
// TypeScript entry in workerData.entry (the app's integrity check, the relay's PDF renderer).
// The app's build does not use this file: it emits its worker as out/main/integrity-worker.js.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
