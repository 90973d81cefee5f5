// Co-editing client for the interop tests. Usage:
//   node collab-client.mjs '{"url": ..., "token": ..., "card": 1, "type": "abc", "length": 6,
//                            "field": "title", "presence": {"cursor": 1}, "linger": 0}'
// Joins the card, types `type` one character per update at random places in the field, waits
// for every acknowledgement and until the field holds `length` characters (everyone's typing),
// then prints one JSON line:
// {"join": ack, "text": ..., "acked": n, "refused": [...], "state": base64 update, "presence": [...]}.
import * as Y from 'yjs'
import { connect, connected, CardProvider, waitFor } from './provider.mjs'

const options = JSON.parse(process.argv[2])
const field = options.field || 'title'
const socket = connect(options.url, options.token)
const result = {}
try {
  await connected(socket)
  const provider = new CardProvider(socket, options.card)
  result.join = await provider.join()
  if (!result.join.ok) throw new Error(JSON.stringify(result.join))
  await waitFor(() => provider.synced, 15000, 'sync step 2')
  if (options.presence) provider.awareness.setLocalState(options.presence)
  const text = provider.doc.getText(field)
  for (const ch of options.type || '') {
    text.insert(Math.floor(Math.random() * (text.length + 1)), ch)
    await new Promise((resolve) => setTimeout(resolve, options.pause ?? 5))
  }
  await waitFor(() => provider.acked + provider.refused.length >= (options.type || '').length, 20000, 'acks')
  if (options.length) await waitFor(() => text.length >= options.length, 20000, 'final length')
  if (options.linger) await new Promise((resolve) => setTimeout(resolve, options.linger))
  result.text = text.toString()
  result.acked = provider.acked
  result.refused = provider.refused
  result.state = Buffer.from(Y.encodeStateAsUpdate(provider.doc)).toString('base64')
  result.presence = [...provider.awareness.getStates().entries()]
    .filter(([id]) => id !== provider.doc.clientID).map(([, state]) => state)
  provider.destroy()
} catch (err) {
  result.error = String(err && err.message ? err.message : err)
  if (err && err.data) result.data = err.data
}
socket.close()
console.log(JSON.stringify(result))
process.exit(result.error ? 1 : 0)
