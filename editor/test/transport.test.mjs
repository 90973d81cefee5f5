/** When the transport calls its first connection "connecting" rather than "offline". */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIRST_ATTEMPTS, Transport } from '../src/collab/transport.js';

class FakeSocket {
  constructor() {
    this.handlers = new Map();
    this.connected = false;
    this.active = true;
    this.sendBuffer = [];
  }
  on(event, fn) { this.handlers.set(event, fn); }
  off(event) { this.handlers.delete(event); }
  fire(event, ...args) { this.handlers.get(event)?.(...args); }
  connect() {}
  disconnect() { this.connected = false; }
}

class FakeWindow {
  constructor(onLine = true) {
    this.navigator = { onLine };
    this.listeners = new Map();
  }
  addEventListener(event, fn) { this.listeners.set(event, fn); }
  removeEventListener(event) { this.listeners.delete(event); }
  fire(event) { this.listeners.get(event)?.(); }
}

function transport(win = new FakeWindow()) {
  const socket = new FakeSocket();
  const t = new Transport({ connect: () => socket, window: win });
  const attempts = [];
  t.on('attempt', (n) => attempts.push(n));
  return { t, socket, win, attempts };
}

test('the first connection is "connecting" until it fails a few times', () => {
  const { t, socket, attempts } = transport();
  assert.equal(t.firstConnecting, true);
  for (let i = 1; i < FIRST_ATTEMPTS; i++) socket.fire('connect_error', new Error('xhr poll error'));
  assert.equal(t.firstConnecting, true);
  socket.fire('connect_error', new Error('xhr poll error'));
  assert.equal(t.firstConnecting, false);
  assert.deepEqual(attempts, [1, 2, 3]);
  t.destroy();
});

test('once connected, a later disconnection is never "connecting" again', () => {
  const { t, socket } = transport();
  socket.connected = true;
  socket.fire('connect');
  socket.connected = false;
  socket.fire('disconnect', 'transport close');
  assert.equal(t.firstConnecting, false);
  t.destroy();
});

test('a browser that says it is offline is offline at once, and a refusal is final', () => {
  const offline = transport(new FakeWindow(false));
  assert.equal(offline.t.firstConnecting, false);
  offline.t.destroy();
  const going = transport();
  going.win.fire('offline');
  assert.equal(going.t.firstConnecting, false);
  assert.equal(going.attempts.length, 1, 'the indicator is told');
  going.win.fire('online');
  assert.equal(going.t.firstConnecting, true);
  going.t.destroy();
  const refused = transport();
  refused.socket.active = false;
  refused.socket.fire('connect_error', new Error('unauthenticated'));
  assert.equal(refused.t.firstConnecting, false);
  refused.t.destroy();
});
