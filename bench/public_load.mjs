// Public page load: `node bench/public_load.mjs URL SECONDS CONNECTIONS [ETAG]` requests URL over
// keep-alive connections as fast as answers come, for SECONDS; with ETAG every request is
// conditional (If-None-Match). Prints {"requests", "seconds", "per_second", "statuses"} as JSON.
import http from 'node:http';

const [url, seconds = '10', connections = '16', etag = ''] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections) });
const statuses = {};
let done = 0;
const until = Date.now() + Number(seconds) * 1000;
const started = Date.now();

function one() {
  return new Promise((resolve, reject) => {
    const headers = etag ? { 'If-None-Match': etag } : {};
    const req = http.get(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => { statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1; done += 1; resolve(); });
    });
    req.on('error', reject);
  });
}

async function loop() {
  while (Date.now() < until) await one();
}

await Promise.all(Array.from({ length: Number(connections) }, loop));
const elapsed = (Date.now() - started) / 1000;
agent.destroy();
console.log(JSON.stringify({ requests: done, seconds: elapsed, per_second: done / elapsed, statuses }));
