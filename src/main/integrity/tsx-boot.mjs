// Sources only (tests, tsx): the worker thread registers tsx's loader, then runs worker.ts.
// The build does not use this file: it emits the worker as out/main/integrity-worker.js.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
