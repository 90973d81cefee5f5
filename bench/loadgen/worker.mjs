// One load-generator thread: a share of the editors (who type) or of the viewers (who only
// receive).
//
// Protocol with the main thread: post {ready} once every client has joined and synced; on
// {start: t0} type until t0 + seconds (editors), then post {typed}; on {stop} post the
// report and close the clients.
import { parentPort, workerData } from 'node:worker_threads'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import * as Y from 'yjs'
import { Arrivals } from './arrivals.mjs'
import { Client } from './client.mjs'
import { layout, placement } from './shared.mjs'
import { fieldContent, typist } from './typist.mjs'

const { opts, role, first, count, sampleEvery } = workerData
const shared = layout(workerData.shared)
const place = placement(opts)
const arrivals = new Arrivals(shared, place, role === 'editor' ? 0 : 1)
const now = () => performance.timeOrigin + performance.now()
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const LETTERS = 'abcdefghijklmnopqrstuvwxyz'
// How late this thread's event loop runs while typing: the part of a latency that is the
// load generator's own backlog rather than the server's.
const loopDelay = monitorEventLoopDelay({ resolution: 5 })

function makeClient (n) {
  const editor = role === 'editor'
  const card = editor ? place.cardOfEditor(n) : place.cardOfViewer(n)
  const server = place.serverOf(n)
  const probe = editor && place.isProbe(n)
  const applies = opts.apply === 'all' || probe
  const receiver = {
    index: editor ? n : -1,
    card,
    server,
    list: editor ? (probe ? 'probe' : 'others') : (n % sampleEvery === 0 ? 'viewer' : null)
  }
  const c = new Client({
    target: opts.target,
    where: { url: opts.urls[server], ...opts.cards[card], token: editor ? opts.token : opts.viewerToken },
    clientID: editor ? shared.base + n : undefined,
    applies,
    presence: editor && opts.presence ? { name: `Editor ${n}`, color: '#30bced' } : null,
    onArrival: (id, from, to, t) => arrivals.arrived(receiver, id, from, to, t)
  })
  Object.assign(c, { n, card, probe, receiver })
  return c
}

async function openAll () {
  const clients = []
  for (let k = 0; k < count; k++) {
    const c = makeClient(first + k)
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
  const period = 1000 / opts.rate
  const keys = typist(client.doc, opts.rich, client.n)
  if (client.awareness) client.awareness.setLocalStateField('field', keys.field)
  const row = client.n * shared.maxKeys
  return new Promise((resolve) => {
    const tick = () => {
      if (now() - t0 > opts.seconds * 1000) return resolve()
      const clock = Y.getState(client.doc.store, client.doc.clientID)
      if (clock >= shared.maxKeys) return resolve()
      shared.sent[row + clock] = now()
      const cursor = keys.type(LETTERS[clock % 26])
      Atomics.store(shared.typed, client.n, clock + 1)
      // The editor sends its caret with every keystroke, right after the update.
      if (client.awareness) client.awareness.setLocalStateField('cursor', cursor)
      setTimeout(tick, period * (0.8 + Math.random() * 0.4))
    }
    setTimeout(tick, Math.max(0, t0 - now()) + Math.random() * period)
  })
}

// Markers a client never saw: per typing editor of its card, keystrokes typed minus the
// clock reached (Yjs integrates one client's clocks in order, so the clock says it all).
function missing (client, worst) {
  let total = 0
  const firstEditor = place.firstEditorOf(client.card)
  for (let j = firstEditor; j < firstEditor + place.perCard; j++) {
    if (j === client.receiver.index) continue
    const gap = Math.max(0, Atomics.load(shared.typed, j) - client.reached(shared.base + j))
    worst[j] = Math.max(worst[j], gap)
    total += gap
  }
  return total
}

function report (clients) {
  const worst = new Int32Array(shared.editors)
  let missingTotal = 0
  for (const c of clients) missingTotal += missing(c, worst)
  const probes = clients.filter((c) => c.probe)
  return {
    role,
    latencies: arrivals.export(),
    missingTotal,
    missingWorst: worst,
    // What each probe's document holds of the typed field, by card, for the convergence check.
    probeContents: probes.map((c) => ({ card: c.card, content: fieldContent(c.doc, opts.rich) })),
    probeAwarenessFrames: probes.reduce((n, c) => n + c.awarenessFrames, 0),
    probes: probes.length,
    acks: clients.reduce((n, c) => n + c.acks, 0),
    gaps: clients.reduce((n, c) => n + c.gaps, 0),
    loopDelayP95: loopDelay.percentile(95) / 1e6,
    sampled: role === 'editor' ? clients.length : clients.filter((c) => c.receiver.list === 'viewer').length
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
