#!/usr/bin/env node
// `npm start` runs this first: without the Electron binary there is nothing to start, so stop
// at once with what to do instead of compiling for a minute and failing on launch.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { electronBinaryProblem } from './native/electron-abi.mjs'

const problem = electronBinaryProblem(join(fileURLToPath(new URL('.', import.meta.url)), '..'))
if (problem) {
  console.error(problem)
  process.exit(1)
}
