// A minimal /collab provider for Node scripts: one Y.Doc synced with one card over Socket.IO,
// written from docs/protocol.md with the real yjs, y-protocols and socket.io-client packages.
// The socket is kept apart from the per-card sync, as the browser editor does.
import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { io } from 'socket.io-client'

export const MESSAGE_SYNC = 0
export const MESSAGE_AWARENESS = 1

/** Open a Socket.IO connection to /collab, authenticated with an API token. */
export function connect (url, token, options = {}) {
  return io(`${url}/collab`, { auth: { token }, transports: ['websocket'], reconnection: false, ...options })
}

/** Resolve once the socket is connected; reject with the server's refusal. */
export function connected (socket) {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve()
    socket.once('connect', resolve)
    socket.once('connect_error', reject)
  })
}

export class CardProvider {
  constructor (socket, cardId, doc = new Y.Doc()) {
    this.socket = socket
    this.cardId = cardId
    this.doc = doc
    this.awareness = new awarenessProtocol.Awareness(doc)
    this.synced = false
    this.acked = 0
    this.refused = []
    this._onMessage = (card, data) => { if (card === this.cardId) this._handle(new Uint8Array(data)) }
    this._onUpdate = (update, origin) => {
      if (origin === this) return
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, MESSAGE_SYNC)
      syncProtocol.writeUpdate(encoder, update)
      this.send(encoding.toUint8Array(encoder))
    }
    this._onAwareness = ({ added, updated, removed }, origin) => {
      if (origin === this) return
      const changed = added.concat(updated, removed)
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, MESSAGE_AWARENESS)
      encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed))
      this.send(encoding.toUint8Array(encoder))
    }
    socket.on('yjs', this._onMessage)
    doc.on('update', this._onUpdate)
    this.awareness.on('update', this._onAwareness)
  }

  /** Join the card; resolves with the join acknowledgement. */
  async join () {
    const ack = await this.socket.timeout(10000).emitWithAck('join', { card: this.cardId })
    if (ack.ok) {
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, MESSAGE_SYNC)
      syncProtocol.writeSyncStep1(encoder, this.doc)
      this.send(encoding.toUint8Array(encoder))
    }
    return ack
  }

  /** Send one frame; the promise settles with the server's acknowledgement. */
  send (frame) {
    return this.socket.timeout(15000).emitWithAck('yjs', this.cardId, frame).then((ack) => {
      if (ack.ok) this.acked++
      else this.refused.push(ack)
      return ack
    }, (err) => { this.refused.push({ ok: false, error: 'timeout', message: String(err) }); return null })
  }

  _handle (data) {
    const decoder = decoding.createDecoder(data)
    const type = decoding.readVarUint(decoder)
    if (type === MESSAGE_SYNC) {
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, MESSAGE_SYNC)
      const kind = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this)
      if (kind === syncProtocol.messageYjsSyncStep2) this.synced = true
      if (encoding.length(encoder) > 1) this.send(encoding.toUint8Array(encoder))
    } else if (type === MESSAGE_AWARENESS) {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this)
    }
  }

  destroy () {
    this.socket.off('yjs', this._onMessage)
    this.doc.off('update', this._onUpdate)
    this.awareness.off('update', this._onAwareness)
    this.awareness.destroy()
  }
}

/** Wait until `predicate()` holds, polling; reject after `timeout` ms. */
export function waitFor (predicate, timeout = 15000, what = 'condition') {
  return new Promise((resolve, reject) => {
    const start = Date.now()
    const tick = () => {
      if (predicate()) return resolve()
      if (Date.now() - start > timeout) return reject(new Error(`timed out waiting for ${what}`))
      setTimeout(tick, 10)
    }
    tick()
  })
}
