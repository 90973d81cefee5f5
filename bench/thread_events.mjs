// Connects N members to one card over /collab and notes when each room event about comment
// threads arrives (wall-clock ms), for bench_review.py, which triggers the events over HTTP.
//   node thread_events.mjs '{"url": ..., "token": ..., "card": ..., "members": 200, "events": 20}'
// Prints {"ready": true} once every member has joined, then one JSON line per member with the
// arrival times of its first `events` thread events.
import { io } from 'socket.io-client'

const opts = JSON.parse(process.argv[2])
const members = []
for (let i = 0; i < opts.members; i++) {
  const socket = io(`${opts.url}/collab`, { auth: { token: opts.token }, transports: ['websocket'], reconnection: false })
  const member = { socket, times: [] }
  socket.on('room', (card, event) => {
    if (card === opts.card && event && String(event.kind).startsWith('thread_')) member.times.push(Date.now())
  })
  members.push(member)
}
await Promise.all(members.map((m) => new Promise((resolve, reject) => {
  m.socket.once('connect', resolve)
  m.socket.once('connect_error', reject)
})))
for (const m of members) {
  const ack = await m.socket.timeout(60000).emitWithAck('join', { card: opts.card })
  if (!ack.ok) throw new Error(JSON.stringify(ack))
}
console.log(JSON.stringify({ ready: true }))
const deadline = Date.now() + 120000
while (members.some((m) => m.times.length < opts.events) && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 20))
}
console.log(JSON.stringify({ times: members.map((m) => m.times) }))
for (const m of members) m.socket.close()
process.exit(0)
