// One load-generator thread: a share of the editors (who type) or of the viewers (who only
// receive and apply every update to their Y.Doc, as a browser would).
//
// Every client counts each marker (editor keystroke) that reaches its document; editors, and
// one viewer in `sampleEvery`, also record its latency from the shared keystroke time.
// Protocol with the main thread: post {ready} once synced; on {start: t0} type until
// t0 + seconds (editors), then post {typed}; on {stop} post the report.
import { parentPort, workerData } from 'node:worker_threads'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import * as Y from 'yjs'
import { Client } from './client.mjs'
import { layout } from './shared.mjs'

const { opts, role, first, count, sampleEvery } = workerData
const shared = layout(workerData.shared)
const now = () => performance.timeOrigin + performance.now()
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const LETTERS = 'abcdefghijklmnopqrstuvwxyz'

// Latencies grow in a plain array of chunks (no copying while the run is hot).
const latencies = []
// How late this thread's event loop runs while typing: the part of a latency that is the
// load generator's own backlog rather than the server's.
const loopDelay = monitorEventLoopDelay({ resolution: 5 })
const counter = role === 'editor' ? 0 : 1

function watch (client, self, measure) {
  client.doc.on('afterTransaction', (tr) => {
    if (tr.origin !== client) return
    const t = now()
    let arrived = 0
    tr.afterState.forEach((after, id) => {
      const j = id - shared.base
      if (j < 0 || j >= shared.editors || j === self) return
      const row = j * shared.maxKeys
      for (let clock = tr.beforeState.get(id) || 0; clock < after && clock < shared.maxKeys; clock++) {
        const sent = shared.sent[row + clock]
        if (sent > 0) { arrived++; if (measure) latencies.push(t - sent) }
      }
    })
    if (arrived) Atomics.add(shared.counters, counter, arrived)
  })
}

async function openAll () {
  const clients = []
  const token = role === 'editor' ? opts.token : opts.viewerToken
  for (let k = 0; k < count; k++) {
    const index = first + k
    const c = new Client(opts, token, role === 'editor' ? shared.base + index : undefined)
    c.index = role === 'editor' ? index : -1
    watch(c, c.index, role === 'editor' || index % sampleEvery === 0)
    clients.push(c)
    await c.open()
    if (k % 20 === 19) await sleep(20) // a gentle ramp, as people arrive in a workshop
  }
  const start = now()
  while (clients.some((c) => !c.synced)) {
    if (now() - start > 60000) throw new Error('clients did not sync within 60 s')
    await sleep(20)
  }
  return clients
}

function type (client, t0) {
  const period = 1000 / (opts.rate || 2)
  const text = client.doc.getText('title')
  const row = client.index * shared.maxKeys
  return new Promise((resolve) => {
    const tick = () => {
      if (now() - t0 > opts.seconds * 1000) return resolve()
      const clock = Y.getState(client.doc.store, client.doc.clientID)
      if (clock >= shared.maxKeys) return resolve()
      shared.sent[row + clock] = now()
      text.insert(Math.floor(Math.random() * (text.length + 1)), LETTERS[clock % 26])
      Atomics.store(shared.typed, client.index, clock + 1)
      setTimeout(tick, period * (0.8 + Math.random() * 0.4))
    }
    setTimeout(tick, Math.max(0, t0 - now()) + Math.random() * period)
  })
}

// Markers this client never saw: per typing editor, keystrokes typed minus clocks received
// (Yjs integrates one client's clocks in order, so the state vector says it all).
function missing (client) {
  const perEditor = new Int32Array(shared.editors)
  let total = 0
  for (let j = 0; j < shared.editors; j++) {
    if (j === client.index) continue
    const gap = Math.max(0, Atomics.load(shared.typed, j) - Y.getState(client.doc.store, shared.base + j))
    perEditor[j] = gap
    total += gap
  }
  return { perEditor, total }
}

function report (clients) {
  const worst = new Int32Array(shared.editors)
  let total = 0
  for (const c of clients) {
    const m = missing(c)
    total += m.total
    for (let j = 0; j < shared.editors; j++) worst[j] = Math.max(worst[j], m.perEditor[j])
  }
  const texts = [...new Set(clients.map((c) => c.doc.getText('title').toString()))]
  return {
    role,
    latencies: Float64Array.from(latencies),
    missingTotal: total,
    missingWorst: worst,
    texts,
    acks: clients.reduce((n, c) => n + c.acks, 0),
    loopDelayP95: loopDelay.percentile(95) / 1e6,
    sampled: role === 'editor' ? clients.length : clients.filter((c, k) => (first + k) % sampleEvery === 0).length
  }
}

async function main () {
  let clients
  try {
    clients = await openAll()
  } catch (err) {
    parentPort.postMessage({ error: String(err.stack || err) })
    return
  }
  parentPort.postMessage({ ready: true })
  parentPort.on('message', async (m) => {
    if (m.start !== undefined) loopDelay.enable()
    if (m.start !== undefined && role === 'editor') {
      await Promise.all(clients.map((c) => type(c, m.start)))
      parentPort.postMessage({ typed: true })
    }
    if (m.stop) {
      loopDelay.disable()
      parentPort.postMessage(report(clients))
      for (const c of clients) c.close()
    }
  })
}

main()
