/**
 * Unsent edits kept in the browser (src/collab/unsent.js) and their use by the provider: kept
 * until acknowledged, sent after a "reload", never by a read-only page, never one user's for
 * another, harmless when the server has moved on. IndexedDB is fake-indexeddb's, one fresh
 * database per test.
 */
import 'fake-indexeddb/auto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { IDBFactory } from 'fake-indexeddb';
import { UnsentStore, exists, forgetAll, forgetOthers } from '../src/collab/unsent.js';
import { fits } from '../src/collab/provider.js';
import { FakeRoom, client, settle } from './fake-collab.mjs';

const USER = 12;
const CARD = 7;

function store(idb, { userId = USER, cardId = CARD, tab } = {}) {
  return new UnsentStore({ userId, cardId, indexedDB: idb, ...(tab ? { tab } : {}) });
}

/** A page of USER on card 7: its own doc, provider and store (a "tab"). */
function page(room, idb, { canEdit = true, userId = USER } = {}) {
  const s = store(idb, { userId });
  const c = client(room, canEdit, { store: s });
  c.store = s;
  c.close = () => {
    c.provider.destroy();
    c.awareness.destroy();
  };
  return c;
}

/** A page that joined, lost the connection, had `type(doc)` typed into it, and was closed. */
async function closedAfterTypingOffline(room, idb, type, options) {
  const a = page(room, idb, options);
  a.transport.connect();
  await settle();
  a.transport.disconnect();
  type(a.doc);
  await settle();
  a.close();
}

async function records(idb, options) {
  const reader = store(idb, { ...options, tab: 'reader' });
  const found = await reader.load();
  await reader.close();
  return found;
}

test('records are per user and card, kept in order, and read back by another tab only', async () => {
  const idb = new IDBFactory();
  const a = store(idb, { tab: 'a' });
  a.put(1, new Uint8Array([1]));
  a.put(2, new Uint8Array([2]));
  a.settle([1]);
  store(idb, { userId: 13, tab: 'x' }).put(1, new Uint8Array([9]));
  store(idb, { cardId: 8, tab: 'x' }).put(1, new Uint8Array([8]));
  await a.put(3, new Uint8Array([3]));
  assert.deepEqual(await a.load(), [], 'a tab does not read its own records back');
  const seen = await records(idb);
  assert.deepEqual(seen.map((r) => [...r.update]), [[2], [3]]);
  assert.deepEqual(seen.map((r) => r.key), [[USER, CARD, 'a', 2], [USER, CARD, 'a', 3]]);
  await a.forget([seen[0].key]);
  assert.deepEqual((await records(idb)).map((r) => [...r.update]), [[3]]);
  await a.close();
});

test('a store without a user keeps nothing', async () => {
  const idb = new IDBFactory();
  const s = new UnsentStore({ userId: null, cardId: CARD, indexedDB: idb });
  await s.put(1, new Uint8Array([1]));
  assert.equal(await exists(idb), false);
});

test('forgetOthers keeps only the signed-in person\'s records; forgetAll drops the database', async () => {
  const idb = new IDBFactory();
  for (const userId of [3, 12, 120, 1200]) await store(idb, { userId, tab: 't' }).put(1, new Uint8Array([userId % 256]));
  await forgetOthers(12, idb);
  assert.equal((await records(idb, { userId: 12 })).length, 1);
  for (const userId of [3, 120, 1200]) assert.equal((await records(idb, { userId })).length, 0, `user ${userId}`);
  assert.equal(await exists(idb), true);
  await forgetAll(idb);
  assert.equal(await exists(idb), false);
});

test('local changes are kept until acknowledged, and only those', async () => {
  const idb = new IDBFactory();
  const room = new FakeRoom();
  const a = page(room, idb);
  a.transport.connect();
  await settle();
  room.doc.getText('summary').insert(0, 'someone else wrote this');
  room.holdAcks = true;
  a.doc.getText('title').insert(0, 'x');
  await settle();
  assert.equal((await records(idb)).length, 1);
  room.holdAcks = false;
  a.doc.getText('title').insert(1, 'y');
  await settle(1500); // the held one is sent again after the retry delay
  assert.equal(a.provider.status.pending, 0);
  assert.deepEqual(await records(idb), []);
  a.close();
});

test('offline edits survive a reload: the next page sends them once, then forgets them', async () => {
  const idb = new IDBFactory();
  const room = new FakeRoom();
  const a = page(room, idb);
  a.transport.connect();
  await settle();
  a.transport.disconnect();
  const title = a.doc.getText('title');
  title.insert(title.length, ' كتب دون اتصال');
  title.insert(0, '« ');
  await settle();
  a.close(); // the tab is closed (or reloaded) while offline
  assert.equal((await records(idb)).length, 2);
  assert.equal(room.doc.getText('title').toString(), 'بطاقة');

  const b = page(room, idb);
  b.transport.connect();
  await settle(60);
  assert.equal(room.doc.getText('title').toString(), '« بطاقة كتب دون اتصال');
  assert.equal(b.doc.getText('title').toString(), '« بطاقة كتب دون اتصال');
  assert.equal(b.provider.status.pending, 0);
  assert.deepEqual(await records(idb), [], 'acknowledged: nothing left in the browser');

  // A third page finds nothing to send; the text is there once.
  const before = room.updatesReceived;
  const c = page(room, idb);
  c.transport.connect();
  await settle(60);
  assert.equal(room.updatesReceived, before);
  assert.equal(room.doc.getText('title').toString().match(/كتب دون اتصال/g).length, 1);
  b.close();
  c.close();
});

test('re-sent records already on the server, then deleted there by someone else, do not come back', async () => {
  const idb = new IDBFactory();
  const room = new FakeRoom();
  const a = page(room, idb);
  a.transport.connect();
  await settle();
  // The server makes it durable but the acknowledgement never arrives (the tab closes).
  room.holdAcks = true;
  const title = a.doc.getText('title');
  title.insert(title.length, ' زائد');
  await settle();
  a.close();
  assert.equal(room.doc.getText('title').toString(), 'بطاقة زائد');
  assert.equal((await records(idb)).length, 1, 'unacknowledged, so still kept');
  room.holdAcks = false;
  // Someone else deletes that word meanwhile.
  const other = room.doc.getText('title');
  other.delete(5, other.length - 5);
  assert.equal(other.toString(), 'بطاقة');

  const b = page(room, idb);
  b.transport.connect();
  await settle(60);
  assert.equal(room.doc.getText('title').toString(), 'بطاقة');
  assert.equal(b.doc.getText('title').toString(), 'بطاقة');
  assert.deepEqual(await records(idb), []);
  b.close();
});

test('a read-only page never sends stored edits: it offers them, and keeps them', async () => {
  const idb = new IDBFactory();
  const room = new FakeRoom();
  await closedAfterTypingOffline(room, idb, (doc) => doc.getText('title').insert(0, 'لم يُرسل '));

  room.canEdit = false;
  const received = room.updatesReceived;
  const r = page(room, idb, { canEdit: false });
  const stranded = [];
  r.provider.on('stranded', (updates, forget) => stranded.push({ updates, forget }));
  r.transport.connect();
  await settle(60);
  assert.equal(room.updatesReceived, received);
  assert.equal(r.provider.status.pending, 0);
  assert.equal(r.doc.getText('title').toString(), 'بطاقة', 'not applied to the page\'s document');
  assert.equal(stranded.length, 1);
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(r.doc));
  for (const u of stranded[0].updates) Y.applyUpdate(copy, u);
  assert.equal(copy.getText('title').toString(), 'لم يُرسل بطاقة');
  assert.equal((await records(idb)).length, 1, 'kept until sent or forgotten');
  await stranded[0].forget();
  assert.deepEqual(await records(idb), []);
  r.close();
});

test('another user\'s records on the same browser are never read', async () => {
  const idb = new IDBFactory();
  const room = new FakeRoom();
  await closedAfterTypingOffline(room, idb, (doc) => doc.getText('title').insert(0, 'secret '), { userId: 30 });
  const b = page(room, idb, { userId: 31 });
  b.transport.connect();
  await settle(60);
  assert.equal(room.doc.getText('title').toString(), 'بطاقة');
  assert.equal((await records(idb, { userId: 30 })).length, 1);
  b.close();
});

test('records made against another document are not applied (nor forgotten)', async () => {
  const idb = new IDBFactory();
  const old = new FakeRoom();
  await closedAfterTypingOffline(old, idb, (doc) => doc.getText('title').insert(2, ' ailleurs '));
  // Same card id, another database: the room's document shares no history with the records.
  const fresh = new FakeRoom();
  const b = page(fresh, idb);
  b.transport.connect();
  await settle(60);
  assert.equal(fresh.doc.getText('title').toString(), 'بطاقة');
  assert.equal(fresh.updatesReceived, 0);
  assert.equal((await records(idb)).length, 1);
  b.close();
});

test('fits tells an update that builds on the document from one that does not', () => {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, 'abc');
  const mine = new Y.Doc();
  Y.applyUpdate(mine, Y.encodeStateAsUpdate(doc));
  const before = Y.encodeStateVector(mine);
  mine.getText('t').insert(1, 'x');
  assert.equal(fits(doc, Y.encodeStateAsUpdate(mine, before)), true);
  const stranger = new Y.Doc();
  stranger.getText('t').insert(0, 'zzz');
  const sv = Y.encodeStateVector(stranger);
  stranger.getText('t').insert(1, 'y');
  assert.equal(fits(doc, Y.encodeStateAsUpdate(stranger, sv)), false);
});
