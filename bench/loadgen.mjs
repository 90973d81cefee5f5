// Co-editing load generator: N editors typing into one card with real Y.Docs, plus V passive
// viewers, against Iltizam (/collab over Socket.IO) or the reference y-websocket server.
//
//   node loadgen.mjs '{"target": "iltizam"|"reference", "url": ..., "token": ..., "viewerToken": ...,
//                      "card": 1, "room": "bench-1", "editors": 200, "viewers": 0,
//                      "seconds": 30, "rate": 2}'
//
// Latency is measured from a keystroke (a one-character insert, one Yjs clock tick) to the
// transaction that brings that clock into each other editor's document. All editors live in
// this process so one clock serves both ends; viewers run in child processes (`--viewers`) so
// their work does not delay the editors' event loop. Prints one JSON line of results.
import { fork } from 'node:child_process'
import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { io } from 'socket.io-client'
import WebSocket from 'ws'

const opts = JSON.parse(process.argv[2])
const now = () => performance.now()
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// One client: a Y.Doc synced over either transport. `send` frames, `onFrame` handles y-protocols.
class Client {
  constructor (onSynced) {
    this.doc = new Y.Doc()
    this.synced = false
    this.onSynced = onSynced
    this.doc.on('update', (update, origin) => {
      if (origin === this) return
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, 0)
      syncProtocol.writeUpdate(encoder, update)
      this.send(encoding.toUint8Array(encoder))
    })
  }

  onFrame (data) {
    const decoder = decoding.createDecoder(data)
    if (decoding.readVarUint(decoder) !== 0) return // presence is not part of this workload
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 0)
    const kind = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this)
    if (kind === syncProtocol.messageYjsSyncStep2 && !this.synced) { this.synced = true; this.onSynced?.() }
    if (encoding.length(encoder) > 1) this.send(encoding.toUint8Array(encoder))
  }

  step1 () {
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 0)
    syncProtocol.writeSyncStep1(encoder, this.doc)
    this.send(encoding.toUint8Array(encoder))
  }

  async open () {
    if (opts.target === 'reference') {
      this.ws = new WebSocket(`${opts.url}/${opts.room}`)
      this.ws.binaryType = 'arraybuffer'
      this.ws.on('message', (data) => this.onFrame(new Uint8Array(data)))
      this.send = (frame) => { if (this.ws.readyState === 1) this.ws.send(frame) }
      await new Promise((resolve, reject) => { this.ws.once('open', resolve); this.ws.once('error', reject) })
      this.step1()
    } else {
      this.socket = io(`${opts.url}/collab`, { auth: { token: this.token }, transports: ['websocket'], reconnection: false })
      this.socket.on('yjs', (card, data) => { if (card === opts.card) this.onFrame(new Uint8Array(data)) })
      // Every update is sent with an acknowledgement callback, as the editor does.
      this.acks = 0
      this.send = (frame) => this.socket.emit('yjs', opts.card, frame, (ack) => { if (ack && ack.ok) this.acks++ })
      await new Promise((resolve, reject) => { this.socket.once('connect', resolve); this.socket.once('connect_error', reject) })
      const ack = await this.socket.timeout(30000).emitWithAck('join', { card: opts.card })
      if (!ack.ok) throw new Error(JSON.stringify(ack))
      this.step1()
    }
  }

  close () { this.ws?.close(); this.socket?.close() }
}

async function openMany (count, token) {
  const clients = []
  for (let i = 0; i < count; i++) {
    const c = new Client()
    c.token = token
    clients.push(c)
    await c.open()
    if (i % 20 === 19) await sleep(20) // a gentle ramp, as people arrive in a workshop
  }
  const start = now()
  while (clients.some((c) => !c.synced)) {
    if (now() - start > 60000) throw new Error('clients did not sync within 60 s')
    await sleep(20)
  }
  return clients
}

function cpuSeconds () { const u = process.cpuUsage(); return (u.user + u.system) / 1e6 }

async function viewersMain () {
  const clients = await openMany(opts.count, opts.viewerToken)
  const cpu0 = cpuSeconds()
  process.send({ ready: true })
  process.on('message', (m) => {
    if (m.stop) {
      process.send({ cpu: cpuSeconds() - cpu0, rss: process.memoryUsage().rss })
      for (const c of clients) c.close()
      setTimeout(() => process.exit(0), 100)
    }
  })
}

function percentile (sorted, p) {
  if (!sorted.length) return null
  return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))]
}

async function main () {
  // Viewer processes first, so the editors' typing reaches a full room.
  const viewerProcs = []
  const perProc = 500
  for (let left = opts.viewers || 0; left > 0; left -= perProc) {
    const child = fork(new URL(import.meta.url).pathname, [JSON.stringify({ ...opts, count: Math.min(perProc, left) }), '--viewers'])
    viewerProcs.push(child)
    await new Promise((resolve, reject) => { child.once('message', resolve); child.once('exit', reject) })
  }
  const editors = await openMany(opts.editors, opts.token)
  // sent.get(clientID)[clock] = time of the keystroke that made that clock.
  const sent = new Map(editors.map((e) => [e.doc.clientID, []]))
  const latencies = []
  let received = 0
  for (const e of editors) {
    e.doc.on('afterTransaction', (tr) => {
      if (tr.origin !== e) return
      const t = now()
      tr.afterState.forEach((after, client) => {
        const times = sent.get(client)
        if (!times || client === e.doc.clientID) return
        for (let clock = tr.beforeState.get(client) || 0; clock < after; clock++) {
          if (times[clock] !== undefined) { latencies.push(t - times[clock]); received++ }
        }
      })
    })
  }
  const cpu0 = cpuSeconds()
  const t0 = now()
  const period = 1000 / (opts.rate || 2)
  let keystrokes = 0
  const typing = editors.map((e) => new Promise((resolve) => {
    const text = e.doc.getText('title')
    const tick = () => {
      if (now() - t0 > opts.seconds * 1000) return resolve()
      const clock = Y.getState(e.doc.store, e.doc.clientID)
      sent.get(e.doc.clientID)[clock] = now()
      text.insert(Math.floor(Math.random() * (text.length + 1)), 'abcdefghijklmnopqrstuvwxyz'[keystrokes++ % 26])
      setTimeout(tick, period * (0.8 + Math.random() * 0.4))
    }
    setTimeout(tick, Math.random() * period)
  }))
  await Promise.all(typing)
  const typedFor = (now() - t0) / 1000
  const expected = keystrokes * (editors.length - 1)
  const drainStart = now()
  while (received < expected && now() - drainStart < 10000) await sleep(50)
  const cpu = cpuSeconds() - cpu0
  const elapsed = (now() - t0) / 1000
  const viewerStats = await Promise.all(viewerProcs.map((child) => new Promise((resolve) => {
    child.once('message', resolve)
    child.send({ stop: true })
  })))
  latencies.sort((a, b) => a - b)
  const texts = new Set(editors.map((e) => e.doc.getText('title').length))
  const result = {
    target: opts.target,
    editors: opts.editors,
    viewers: opts.viewers || 0,
    seconds: Number(typedFor.toFixed(1)),
    keystrokes,
    deliveries: received,
    lost: expected - received,
    converged: texts.size === 1,
    acked: editors.reduce((n, e) => n + (e.acks || 0), 0),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? null,
    loadgen_cpu_s: cpu + viewerStats.reduce((n, s) => n + s.cpu, 0),
    loadgen_elapsed_s: elapsed,
    loadgen_rss_mb: (process.memoryUsage().rss + viewerStats.reduce((n, s) => n + s.rss, 0)) / 2 ** 20
  }
  for (const e of editors) e.close()
  console.log(JSON.stringify(result))
  process.exit(0)
}

if (process.argv.includes('--viewers')) viewersMain()
else main().catch((err) => { console.log(JSON.stringify({ error: String(err.stack || err) })); process.exit(1) })
