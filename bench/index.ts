import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

// `npm run bench`: runs each benchmark module present as its own child process (one at a
// time, so they do not compete for the two cores), passes its output through, takes the JSON
// object on its last line, and ends with ONE merged JSON object: the core's keys at the top
// level, every other module's object under its name. A module that fails is reported under
// `errors` and the others still run; the exit code is then 1.

const root = fileURLToPath(new URL('../', import.meta.url))
const MODULES: { name: string; file: string }[] = [
  { name: 'core', file: 'bench/core.ts' },
  { name: 'relay_notify', file: 'bench/relay/notify.ts' },
  { name: 'relay_coupons', file: 'bench/relay/coupons.ts' },
  { name: 'relay_jobs', file: 'bench/relay/jobs.ts' },
  { name: 'relay_invoices', file: 'bench/relay/invoices.ts' },
  { name: 'relay_reports', file: 'bench/relay/reports.ts' },
  { name: 'sync_catchup', file: 'bench/sync/catchup.ts' },
  { name: 'main_thread', file: 'bench/main-thread.ts' }
]

function run(file: string): Promise<{ code: number | null; lastLine: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
    let tail = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      process.stdout.write(chunk)
      tail = (tail + chunk).slice(-64 * 1024)
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, lastLine: tail.trimEnd().split('\n').at(-1) ?? '' }))
  })
}

async function main(): Promise<void> {
  const merged: Record<string, unknown> = {}
  const errors: Record<string, string> = {}
  for (const m of MODULES) {
    if (!existsSync(`${root}${m.file}`)) continue
    console.log(`\n=== ${m.name} (${m.file}) ===`)
    const { code, lastLine } = await run(m.file)
    let figures: unknown
    try {
      figures = JSON.parse(lastLine)
    } catch {
      figures = undefined
    }
    if (code !== 0 || typeof figures !== 'object' || figures === null) {
      errors[m.name] = code !== 0 ? `exited ${code}` : 'no JSON object on its last line'
      continue
    }
    if (m.name === 'core') Object.assign(merged, figures)
    else merged[m.name] = figures
  }
  if (Object.keys(errors).length > 0) {
    merged.errors = errors
    process.exitCode = 1
  }
  console.log(JSON.stringify(merged))
}

void main()
