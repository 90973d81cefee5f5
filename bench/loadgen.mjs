// Co-editing load generator: N editors typing into one card with real Y.Docs, plus V passive
// viewers, against Iltizam (/collab over Socket.IO) or the reference y-websocket server.
//
//   node loadgen.mjs '{"target": "iltizam"|"reference", "url": ..., "token": ..., "viewerToken": ...,
//                      "card": 1, "room": "bench-1", "editors": 200, "viewers": 0,
//                      "seconds": 30, "rate": 2}'
//
// The clients are spread over worker threads (bench/loadgen/worker.mjs) so that no single
// event loop limits how fast updates are applied; this thread only coordinates and sums up.
// Keystroke and arrival times are absolute (performance.timeOrigin + performance.now()),
// one clock for every thread of the process. Keystroke times live in a SharedArrayBuffer
// that every worker reads when a marker arrives.
//
// Prints `{"phase": "typing"}` when typing starts, `{"phase": "done"}` when the drain ends,
// then one JSON line of results.
import { Worker } from 'node:worker_threads'
import { layout, sharedState } from './loadgen/shared.mjs'
import { summarise } from './loadgen/stats.mjs'

const opts = JSON.parse(process.argv[2])
const now = () => performance.timeOrigin + performance.now()
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
// Editor threads sized to the 2-core machine: 200 editors on 2 threads rather than 4 left the
// server more of the cores it shares with them (p95 at 200×0 down by ~20 ms, docs/performance.md).
const EDITORS_PER_WORKER = 100
const VIEWERS_PER_WORKER = 250
const VIEWER_SAMPLE_EVERY = 25 // one viewer in 25 records latency; all of them apply every update
const DRAIN_MS = 10000

function cpuSeconds () { const u = process.cpuUsage(); return (u.user + u.system) / 1e6 }

// Splits `count` clients into chunks of at most `per`, as [first index, count] pairs.
function chunks (count, per) {
  const out = []
  for (let first = 0; first < count; first += per) out.push([first, Math.min(per, count - first)])
  return out
}

function startWorker (role, first, count, shared) {
  const worker = new Worker(new URL('./loadgen/worker.mjs', import.meta.url), {
    workerData: { opts, role, first, count, shared, sampleEvery: VIEWER_SAMPLE_EVERY }
  })
  const inbox = []
  const waiters = []
  worker.on('message', (m) => { const w = waiters.shift(); if (w) w(m); else inbox.push(m) })
  worker.on('error', (err) => { console.log(JSON.stringify({ error: String(err.stack || err) })); process.exit(1) })
  const next = () => inbox.length ? Promise.resolve(inbox.shift()) : new Promise((resolve) => waiters.push(resolve))
  return { worker, next, role }
}

async function main () {
  const editors = opts.editors
  const maxKeys = Math.ceil((opts.seconds + 2) * (opts.rate || 2) * 1.5) + 16
  const shared = sharedState(editors, maxKeys)
  const view = layout(shared)
  // Viewers first, so the editors' typing reaches a full room; then the editors.
  const workers = []
  for (const [first, count] of chunks(opts.viewers || 0, VIEWERS_PER_WORKER)) workers.push(startWorker('viewer', first, count, shared))
  for (const m of await Promise.all(workers.map((w) => w.next()))) if (m.error) throw new Error(m.error)
  for (const [first, count] of chunks(editors, EDITORS_PER_WORKER)) workers.push(startWorker('editor', first, count, shared))
  for (const w of workers.filter((w) => w.role === 'editor')) {
    const m = await w.next()
    if (m.error) throw new Error(m.error)
  }
  const cpu0 = cpuSeconds()
  const t0 = now() + 200
  console.log(JSON.stringify({ phase: 'typing' }))
  for (const w of workers) w.worker.postMessage({ start: t0 })
  for (const w of workers.filter((w) => w.role === 'editor')) await w.next() // typing finished
  const typedFor = (now() - t0) / 1000
  let keystrokes = 0
  for (let i = 0; i < editors; i++) keystrokes += view.typed[i]
  const expected = keystrokes * (editors - 1)
  const drainStart = now()
  while (Atomics.load(view.counters, 0) < expected && now() - drainStart < DRAIN_MS) await sleep(50)
  const elapsed = (now() - t0) / 1000
  const cpu = cpuSeconds() - cpu0
  console.log(JSON.stringify({ phase: 'done' }))
  const reports = []
  for (const w of workers) { w.worker.postMessage({ stop: true }); reports.push(await w.next()) }
  const result = summarise(opts, reports, view, { keystrokes, typedFor, elapsed, cpu })
  for (const w of workers) await w.worker.terminate()
  console.log(JSON.stringify(result))
  process.exit(0)
}

main().catch((err) => { console.log(JSON.stringify({ error: String(err.stack || err) })); process.exit(1) })
