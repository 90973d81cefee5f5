/**
 * An in-memory stand-in for the /collab server and the Socket.IO transport, for the provider's
 * tests (provider.test.mjs, unsent.test.mjs).
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import { Awareness } from 'y-protocols/awareness';
import { ObservableV2 } from 'lib0/observable';
import { CardProvider } from '../src/collab/provider.js';

/** An in-memory /collab room speaking the protocol of docs/protocol.md, for one card. */
export class FakeRoom {
  constructor({ canEdit = true } = {}) {
    this.doc = new Y.Doc();
    this.doc.getText('title').insert(0, 'بطاقة');
    this.clients = new Set();
    this.canEdit = canEdit;
    this.updatesReceived = 0;
    this.holdAcks = false;
    this.colour = null;
    this.access = true; // false: the person was taken off the card, joins are refused
  }

  handle(client, event, args) {
    if (event === 'join') {
      if (!this.access) return { ok: false, error: 'no_access', message: 'You do not have access to this card.' };
      return { ok: true, role: 'lead', roles: ['lead'], can_edit: this.canEdit, can_comment: true, ...(this.colour ? { color: this.colour } : {}) };
    }
    if (event !== 'yjs') return undefined;
    const [, frame] = args;
    const decoder = decoding.createDecoder(frame);
    if (decoding.readVarUint(decoder) !== 0) return undefined;
    const syncType = decoding.readVarUint(decoder);
    const payload = decoding.readVarUint8Array(decoder);
    if (syncType === syncProtocol.messageYjsSyncStep1) {
      const reply = encoding.createEncoder();
      encoding.writeVarUint(reply, 0);
      encoding.writeVarUint(reply, syncProtocol.messageYjsSyncStep2);
      encoding.writeVarUint8Array(reply, Y.encodeStateAsUpdate(this.doc, payload));
      client.deliver(encoding.toUint8Array(reply));
      const ask = encoding.createEncoder();
      encoding.writeVarUint(ask, 0);
      syncProtocol.writeSyncStep1(ask, this.doc);
      client.deliver(encoding.toUint8Array(ask));
      return undefined;
    }
    if (!this.canEdit) return { ok: false, error: 'read_only' };
    this.updatesReceived += 1;
    Y.applyUpdate(this.doc, payload);
    const relay = encoding.createEncoder();
    encoding.writeVarUint(relay, 0);
    syncProtocol.writeUpdate(relay, payload);
    for (const other of this.clients) if (other !== client && other.connected) other.deliver(encoding.toUint8Array(relay));
    return this.holdAcks ? new Promise(() => {}) : { ok: true };
  }
}

export class FakeTransport extends ObservableV2 {
  constructor(room) {
    super();
    this.room = room;
    this.connected = false;
    this.subscribers = new Map();
    this.sent = [];
    room.clients.add(this);
  }
  connect() { this.connected = true; this.emit('connect', []); }
  disconnect() { this.connected = false; this.emit('disconnect', ['transport close']); }
  subscribe(card, fn) { this.subscribers.set(String(card), fn); }
  unsubscribe(card) { this.subscribers.delete(String(card)); }
  deliver(frame) { queueMicrotask(() => this.connected && this.subscribers.get('7')?.(frame)); }
  send(event, ...args) {
    if (!this.connected) return;
    this.sent.push([event, args]);
    this.room.handle(this, event, args);
  }
  request(event, args, timeoutMs) {
    if (!this.connected) return Promise.reject(new Error('offline'));
    this.sent.push([event, args]);
    let timer;
    const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('timeout')), timeoutMs); });
    return Promise.race([Promise.resolve(this.room.handle(this, event, args)), timeout])
      .finally(() => clearTimeout(timer));
  }
}

export function client(room, canEdit = true, options = {}) {
  const doc = new Y.Doc();
  const awareness = new Awareness(doc);
  const transport = new FakeTransport(room);
  const provider = new CardProvider({ transport, cardId: 7, doc, awareness, canEdit, ackTimeout: 200, ...options });
  return { doc, awareness, transport, provider };
}

export const settle = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));
