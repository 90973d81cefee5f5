// One co-editing client: a Y.Doc kept in sync with the server over y-protocols, either over
// Socket.IO `/collab` (Iltizam, every update sent with an acknowledgement callback, as the
// editor does) or over a raw WebSocket (the reference server).
import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as map from 'lib0/map'
import { io } from 'socket.io-client'
import WebSocket from 'ws'

export class Client {
  /**
   * Args: opts (the run's options: target, url, room, card), token (Iltizam API token),
   *   clientID (Yjs client id to use, or undefined for a random one).
   */
  constructor (opts, token, clientID) {
    this.opts = opts
    this.token = token
    this.doc = new Y.Doc()
    if (clientID !== undefined) this.doc.clientID = clientID
    this.synced = false
    this.acks = 0
    // Local changes go out as y-websocket does; built here only for local transactions
    // (a Y.Doc 'update' listener would encode every remote update too, which costs the load
    // generator more than the server being measured).
    this.doc.on('afterTransaction', (tr) => {
      if (tr.origin === this || !tr.local) return
      if (!map.any(tr.afterState, (clock, client) => tr.beforeState.get(client) !== clock) && tr.deleteSet.clients.size === 0) return
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, 0)
      syncProtocol.writeUpdate(encoder, Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(tr.beforeState)))
      this.send(encoding.toUint8Array(encoder))
    })
  }

  onFrame (data) {
    const decoder = decoding.createDecoder(data)
    if (decoding.readVarUint(decoder) !== 0) return // presence is not part of this workload
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 0)
    const kind = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this)
    if (kind === syncProtocol.messageYjsSyncStep2) this.synced = true
    if (encoding.length(encoder) > 1) this.send(encoding.toUint8Array(encoder))
  }

  step1 () {
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 0)
    syncProtocol.writeSyncStep1(encoder, this.doc)
    this.send(encoding.toUint8Array(encoder))
  }

  /** Connect, join, and send sync step 1. Returns: a promise settled once joined. */
  async open () {
    const opts = this.opts
    if (opts.target === 'reference') {
      this.ws = new WebSocket(`${opts.url}/${opts.room}`)
      this.ws.binaryType = 'arraybuffer'
      this.ws.on('message', (data) => this.onFrame(new Uint8Array(data)))
      this.send = (frame) => { if (this.ws.readyState === 1) this.ws.send(frame) }
      await new Promise((resolve, reject) => { this.ws.once('open', resolve); this.ws.once('error', reject) })
    } else {
      this.socket = io(`${opts.url}/collab`, { auth: { token: this.token }, transports: ['websocket'], reconnection: false })
      this.socket.on('yjs', (card, data) => { if (card === opts.card) this.onFrame(new Uint8Array(data)) })
      this.send = (frame) => this.socket.emit('yjs', opts.card, frame, (ack) => { if (ack && ack.ok) this.acks++ })
      await new Promise((resolve, reject) => { this.socket.once('connect', resolve); this.socket.once('connect_error', reject) })
      const ack = await this.socket.timeout(60000).emitWithAck('join', { card: opts.card })
      if (!ack.ok) throw new Error(JSON.stringify(ack))
    }
    this.step1()
  }

  close () { this.ws?.close(); this.socket?.close() }
}
