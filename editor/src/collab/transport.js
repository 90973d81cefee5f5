/**
 * The Socket.IO connection to the /collab namespace, shared by every card provider on a page.
 *
 * It owns connecting, reconnecting with backoff, and following the browser's own
 * online/offline signal; it knows nothing of Yjs. Providers subscribe by card id to the
 * `yjs` frames addressed to them and send through `emit` / `request`.
 */
import { io } from 'socket.io-client';
import { ObservableV2 } from 'lib0/observable';

const BACKOFF = { reconnectionDelay: 500, reconnectionDelayMax: 10000, randomizationFactor: 0.5 };

export class TimeoutError extends Error {
  constructor(event) {
    super(`No acknowledgement for "${event}" in time`);
    this.name = 'TimeoutError';
  }
}

// Failed attempts (about 3.5 s with the backoff above) before a first connection that has not
// come yet is called "offline" rather than "connecting".
export const FIRST_ATTEMPTS = 3;

/**
 * Events: `connect`, `disconnect` (reason), `refused` (error: the server turned the
 * connection away, e.g. an expired session; retrying would not help), `room` (card, event):
 * a room event (docs/protocol.md), `card` null for events about the connection itself;
 * `attempt` (failures): an attempt to connect failed (`failures` in a row), or the browser went
 * offline or online: what `firstConnecting` says may have changed.
 */
export class Transport extends ObservableV2 {
  /**
   * @param {object} [options]
   * @param {string} [options.url] namespace URL, same origin by default
   * @param {Function} [options.connect] socket factory (socket.io-client's `io`)
   * @param {Window} [options.window] where to listen for online/offline
   */
  constructor({ url = '/collab', connect = io, window: win = globalThis.window } = {}) {
    super();
    this.socket = connect(url, { autoConnect: false, reconnection: true, ...BACKOFF });
    this.window = win;
    /** @type {Map<string, (frame: Uint8Array) => void>} */
    this.subscribers = new Map();
    this.browserOffline = win?.navigator?.onLine === false;
    this.signedOut = false;
    this.everConnected = false;
    this.failures = 0;
    this._listeners = {
      connect: () => {
        this.everConnected = true;
        this.failures = 0;
        this.emit('connect', []);
      },
      disconnect: (reason) => {
        // Emits made while disconnected would be replayed before the next join; drop them,
        // the providers keep their own record of what is unsaved.
        this.socket.sendBuffer.length = 0;
        this.emit('disconnect', [reason]);
        if (reason === 'io server disconnect' && !this.browserOffline) {
          this.emit('refused', [this.signedOut ? 'signed_out' : reason]);
        }
      },
      connect_error: (error) => {
        this.failures += 1;
        if (!this.socket.active) {
          // Turned away for good (not signed in any more): not "connecting" either.
          this.failures = Math.max(this.failures, FIRST_ATTEMPTS);
          this.emit('refused', [error.message]);
        }
        this.emit('attempt', [this.failures]);
      },
      room: (card, event) => {
        if (event == null || typeof event !== 'object') return;
        // The session or token ended: the server closes the connection; do not knock again.
        if (card == null && event.kind === 'signed_out') this.signedOut = true;
        this.emit('room', [card, event]);
      },
      yjs: (card, data) => {
        const handler = this.subscribers.get(String(card));
        if (handler && data != null) handler(data instanceof Uint8Array ? data : new Uint8Array(data));
      },
    };
    for (const [event, fn] of Object.entries(this._listeners)) this.socket.on(event, fn);
    this._onOffline = () => {
      this.browserOffline = true;
      this.socket.disconnect();
      this.emit('attempt', [this.failures]);
    };
    this._onOnline = () => {
      this.browserOffline = false;
      if (!this.socket.connected) this.socket.connect();
      this.emit('attempt', [this.failures]);
    };
    if (this.window) {
      this.window.addEventListener('offline', this._onOffline);
      this.window.addEventListener('online', this._onOnline);
    }
  }

  get connected() {
    return this.socket.connected;
  }

  /**
   * Still making the page's first connection: never connected yet, the browser not offline,
   * and not yet failed often enough to call the server unreachable. What the indicator calls
   * "connecting" rather than "offline".
   */
  get firstConnecting() {
    return !this.everConnected && !this.browserOffline && !this.signedOut && this.failures < FIRST_ATTEMPTS;
  }

  connect() {
    this.socket.connect();
  }

  /** Deliver `yjs` frames for `cardId` to `handler`. One subscriber per card. */
  subscribe(cardId, handler) {
    const key = String(cardId);
    if (this.subscribers.has(key)) throw new Error(`Card ${key} already has a provider on this transport`);
    this.subscribers.set(key, handler);
  }

  unsubscribe(cardId) {
    this.subscribers.delete(String(cardId));
  }

  /** Fire and forget; dropped when disconnected. */
  send(event, ...args) {
    if (this.socket.connected) this.socket.emit(event, ...args);
  }

  /**
   * Emit with an acknowledgement.
   * @returns {Promise<any>} the server's acknowledgement; rejects with TimeoutError
   */
  request(event, args, timeoutMs) {
    return new Promise((resolve, reject) => {
      if (!this.socket.connected) {
        reject(new TimeoutError(event));
        return;
      }
      this.socket.timeout(timeoutMs).emit(event, ...args, (err, response) => {
        if (err) reject(new TimeoutError(event));
        else resolve(response);
      });
    });
  }

  destroy() {
    if (this.window) {
      this.window.removeEventListener('offline', this._onOffline);
      this.window.removeEventListener('online', this._onOnline);
    }
    for (const [event, fn] of Object.entries(this._listeners)) this.socket.off(event, fn);
    this.subscribers.clear();
    this.socket.disconnect();
    super.destroy();
  }
}
