// One co-editing client: a Y.Doc kept in sync with a server over y-protocols (the wire is
// bench/loadgen/transports.mjs), in one of two modes:
//
//   applying  every remote update is applied to the Y.Doc and every awareness update to the
//             Awareness, as a browser does (probes, late joiners, seeders);
//   counting  the document received on joining is applied (so there is something to type
//             into), later updates are only read for which clocks of which clients they
//             carry (Y.parseUpdateMeta) and dropped, awareness updates are dropped. That
//             client-side work is the load generator's, not the server's: applying every
//             keystroke in every simulated browser is what bounds the load generator first.
//
// Either way each range of clocks that reaches the client is reported to `onArrival`.
import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as map from 'lib0/map'
import { connect } from './transports.mjs'

const MESSAGE_SYNC = 0
const MESSAGE_AWARENESS = 1

function frame (type, write) {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, type)
  write(encoder)
  return encoding.toUint8Array(encoder)
}

export class Client {
  /**
   * Args (one object): target (server kind, see transports.mjs), where ({url, card, room,
   *   token}), clientID (Yjs client id, or undefined for a random one), applies (boolean),
   *   presence (the awareness `user` to announce, or null for no awareness at all),
   *   onArrival ((id, from, to, t) => void, or null).
   */
  constructor ({ target, where, clientID, applies, presence, onArrival }) {
    this.target = target
    this.where = where
    this.applies = applies
    this.onArrival = onArrival
    this.doc = new Y.Doc()
    if (clientID !== undefined) this.doc.clientID = clientID
    this.synced = false
    this.seen = new Map() // counting mode: the clock each Yjs client has reached here
    // Counting mode: clocks an update skipped (it started past what had arrived). A Y.Doc
    // would hold such an update back; none of the three servers should ever send one.
    this.gaps = 0
    this.awarenessFrames = 0
    this.link = null
    this.presence = presence
    this.awareness = presence ? new awarenessProtocol.Awareness(this.doc) : null
    // Local changes go out as y-websocket does; encoded here only for local transactions
    // (a Y.Doc 'update' listener would encode every remote update too).
    this.doc.on('afterTransaction', (tr) => {
      if (tr.origin === this) return this.applied(tr)
      if (!tr.local || !this.link) return
      if (!map.any(tr.afterState, (clock, client) => tr.beforeState.get(client) !== clock) && tr.deleteSet.clients.size === 0) return
      const update = Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(tr.beforeState))
      this.link.send(frame(MESSAGE_SYNC, (e) => syncProtocol.writeUpdate(e, update)))
    })
    this.awareness?.on('update', ({ added, updated, removed }, origin) => {
      if (origin === this || !this.link) return
      const changed = added.concat(updated, removed)
      this.link.send(frame(MESSAGE_AWARENESS, (e) => encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed))))
    })
  }

  applied (tr) {
    if (!this.onArrival) return
    const t = performance.timeOrigin + performance.now()
    tr.afterState.forEach((after, id) => {
      const before = tr.beforeState.get(id) || 0
      if (after > before) this.onArrival(id, before, after, t)
    })
  }

  counted (update) {
    const t = performance.timeOrigin + performance.now()
    const { from, to } = Y.parseUpdateMeta(update)
    to.forEach((end, id) => {
      const reached = this.reached(id)
      const start = Math.max(reached, from.get(id) || 0)
      if (end <= reached) return
      this.gaps += start - reached
      this.seen.set(id, end)
      if (this.onArrival && end > start) this.onArrival(id, start, end, t)
    })
  }

  /** The clock of Yjs client `id` this client holds (applied or counted). */
  reached (id) {
    return this.seen.get(id) ?? Y.getState(this.doc.store, id)
  }

  onFrame (data) {
    const decoder = decoding.createDecoder(data)
    const type = decoding.readVarUint(decoder)
    if (type === MESSAGE_AWARENESS) {
      this.awarenessFrames++
      if (this.applies && this.awareness) awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this)
      return
    }
    if (type !== MESSAGE_SYNC) return
    if (this.synced && !this.applies) {
      const start = decoder.pos
      const syncType = decoding.readVarUint(decoder)
      if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) return this.counted(decoding.readVarUint8Array(decoder))
      decoder.pos = start
    }
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MESSAGE_SYNC)
    const kind = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this)
    if (kind === syncProtocol.messageYjsSyncStep2) this.synced = true
    if (encoding.length(encoder) > 1) this.link.send(encoding.toUint8Array(encoder))
  }

  /** Connect, join, send sync step 1 (and the presence state). Returns: once frames may flow. */
  async open () {
    // Frames may arrive before `connect` settles (Iltizam sends the document before it
    // acknowledges the join): hold them until there is a link to answer on.
    const early = []
    this.link = await connect(this.target, this.where, (data) => { if (this.link) this.onFrame(data); else early.push(data) })
    for (const data of early) this.onFrame(data)
    this.link.send(frame(MESSAGE_SYNC, (e) => syncProtocol.writeSyncStep1(e, this.doc)))
    if (this.awareness) this.awareness.setLocalState({ user: this.presence, field: null })
  }

  get acks () { return this.link ? this.link.acks : 0 }

  close () {
    this.awareness?.destroy()
    this.link?.close()
  }
}
