// How y-protocols frames travel to and from each server under test. Every transport takes
// and hands out frames exactly as y-websocket puts them in a WebSocket message
// (varUint message type, then the sync or awareness payload), so the client above it is the
// same for all three servers.
//
//   iltizam      Socket.IO namespace /collab: `join` the card, then `yjs` events
//                (card, frame) both ways, each sent frame with an acknowledgement callback
//                as the editor does; `{ok: true}` on an update means it is stored.
//   y-websocket  one raw WebSocket per room at URL/ROOM (@y/websocket-server).
//   hocuspocus   one raw WebSocket; every message starts with the document name
//                (varString), then Hocuspocus's message type, which for sync (0) and
//                awareness (1) is y-websocket's. The connection is opened per document
//                by an Auth message (type 2, token; the server has no onAuthenticate hook,
//                so any token passes), and answered with an Authenticated message before
//                anything else. Sync replies (4) carry a sync message like 0; SyncStatus
//                (8) follows each applied update and is counted as its acknowledgement.
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { io } from 'socket.io-client'
import WebSocket from 'ws'

// Hocuspocus closes a connection it has heard nothing from for 60 s (its `timeout`); real
// providers renew their awareness every 15 s. A query-awareness frame sent over an
// established connection is answered with nothing, so it only keeps the connection alive.
const HOCUSPOCUS_KEEPALIVE_MS = 20000
const HP = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3, syncReply: 4, close: 7, syncStatus: 8 }
const HP_AUTH_TOKEN = 0
const HP_AUTH_DENIED = 1
const HP_AUTH_OK = 2

function opened (ws) {
  return new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject) })
}

/**
 * Connect to one card or room.
 * Args: kind ('iltizam' | 'y-websocket' | 'hocuspocus'), where ({url, card, room, token}),
 *   onFrame (called with each y-websocket-style frame received, a Uint8Array).
 * Returns: a promise of {send(frame), close(), acks}, settled once frames may be sent
 *   (Iltizam: joined; Hocuspocus: authenticated).
 */
export function connect (kind, where, onFrame) {
  if (kind === 'iltizam') return iltizam(where, onFrame)
  if (kind === 'y-websocket') return yWebsocket(where, onFrame)
  if (kind === 'hocuspocus') return hocuspocus(where, onFrame)
  throw new Error(`unknown target ${JSON.stringify(kind)}`)
}

async function iltizam ({ url, card, token }, onFrame) {
  const socket = io(`${url}/collab`, { auth: { token }, transports: ['websocket'], reconnection: false })
  const link = {
    acks: 0,
    send: (frame) => socket.emit('yjs', card, frame, (ack) => { if (ack && ack.ok) link.acks++ }),
    close: () => socket.close()
  }
  socket.on('yjs', (id, data) => { if (id === card) onFrame(new Uint8Array(data)) })
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject) })
  const ack = await socket.timeout(60000).emitWithAck('join', { card })
  if (!ack.ok) throw new Error(`join refused: ${JSON.stringify(ack)}`)
  return link
}

async function yWebsocket ({ url, room }, onFrame) {
  const ws = new WebSocket(`${url}/${room}`)
  ws.binaryType = 'arraybuffer'
  ws.on('message', (data) => onFrame(new Uint8Array(data)))
  await opened(ws)
  return { acks: 0, send: (frame) => { if (ws.readyState === 1) ws.send(frame) }, close: () => ws.close() }
}

async function hocuspocus ({ url, room, token }, onFrame) {
  const ws = new WebSocket(url)
  ws.binaryType = 'arraybuffer'
  const prefix = encoding.encode((e) => encoding.writeVarString(e, room))
  const message = (frame) => {
    const out = new Uint8Array(prefix.length + frame.length)
    out.set(prefix)
    out.set(frame, prefix.length)
    return out
  }
  let keepalive = null
  const link = {
    acks: 0,
    send: (frame) => { if (ws.readyState === 1) ws.send(message(frame)) },
    close: () => { clearInterval(keepalive); ws.close() }
  }
  let authenticated, denied
  const answer = new Promise((resolve, reject) => { authenticated = resolve; denied = reject })
  ws.on('message', (data) => {
    const bytes = new Uint8Array(data)
    const decoder = decoding.createDecoder(bytes)
    if (decoding.readVarString(decoder) !== room) return
    const start = decoder.pos
    const type = decoding.readVarUint(decoder)
    if (type === HP.sync || type === HP.syncReply) {
      const frame = bytes.slice(start)
      frame[0] = HP.sync // one byte: both type numbers are below 128
      onFrame(frame)
    } else if (type === HP.awareness) {
      onFrame(bytes.subarray(start))
    } else if (type === HP.syncStatus) {
      if (decoding.readVarUint(decoder) === 1) link.acks++
    } else if (type === HP.auth) {
      const answerType = decoding.readVarUint(decoder)
      if (answerType === HP_AUTH_OK) authenticated()
      else if (answerType === HP_AUTH_DENIED) denied(new Error(`hocuspocus: ${decoding.readVarString(decoder)}`))
    } else if (type === HP.close) {
      denied(new Error(`hocuspocus closed the document: ${decoding.readVarString(decoder)}`))
    }
  })
  await opened(ws)
  ws.send(message(encoding.encode((e) => {
    encoding.writeVarUint(e, HP.auth)
    encoding.writeVarUint(e, HP_AUTH_TOKEN)
    encoding.writeVarString(e, token || '')
  })))
  await answer
  keepalive = setInterval(() => link.send(Uint8Array.of(HP.queryAwareness)), HOCUSPOCUS_KEEPALIVE_MS)
  return link
}
