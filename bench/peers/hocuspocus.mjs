// The Hocuspocus peer: `@hocuspocus/server` as its documentation starts it, without extensions
// (so without persistence) and with its default settings. Listens on 127.0.0.1 and the port in
// PORT (0: a free one) and prints `listening on 127.0.0.1:PORT` once bound.
import { Server } from '@hocuspocus/server'

const server = new Server({ address: '127.0.0.1', port: Number(process.env.PORT || 0), quiet: true })
await server.listen()
console.log(`listening on 127.0.0.1:${server.address.port}`)
