import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRoom, client } from './fake-collab.mjs';

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

// Wait until `condition()` holds, checking every 10 ms; fail after `timeoutMs`.
async function until(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('joins, syncs, emits synced, and reports saved once acknowledged', async () => {
  const room = new FakeRoom();
  const a = client(room);
  let synced = 0;
  a.provider.on('synced', () => synced++);
  a.transport.connect();
  await settle();
  assert.equal(synced, 1);
  assert.equal(a.doc.getText('title').toString(), 'بطاقة');
  a.doc.getText('title').insert(5, ' 1');
  assert.equal(a.provider.status.pending, 1);
  await settle();
  assert.equal(a.provider.status.pending, 0);
  assert.equal(room.doc.getText('title').toString(), 'بطاقة 1');
  a.provider.destroy();
  a.awareness.destroy();
});

test('offline edits are counted, sent once back online, and never duplicated', async () => {
  const room = new FakeRoom();
  const a = client(room);
  const b = client(room);
  a.transport.connect();
  b.transport.connect();
  await settle();
  a.transport.disconnect();
  a.doc.getText('title').insert(5, ' hors ligne');
  a.doc.getText('title').insert(0, '« ');
  assert.equal(a.provider.status.pending, 2);
  assert.equal(a.provider.status.connected, false);
  b.doc.getText('title').insert(5, ' متصل');
  await settle();
  a.transport.connect();
  await settle();
  const expected = room.doc.getText('title').toString();
  assert.equal(a.provider.status.pending, 0);
  assert.equal(a.doc.getText('title').toString(), expected);
  assert.equal(b.doc.getText('title').toString(), expected);
  assert.equal(expected.match(/hors ligne/g).length, 1);
  assert.equal(expected.match(/متصل/g).length, 1);
  for (const c of [a, b]) { c.provider.destroy(); c.awareness.destroy(); }
});

test('unacknowledged changes stay pending and are sent again', async () => {
  const room = new FakeRoom();
  const a = client(room);
  a.transport.connect();
  await settle();
  room.holdAcks = true;
  a.doc.getText('title').insert(0, 'x');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(a.provider.status.pending, 1);
  room.holdAcks = false;
  try {
    // Sent again once its acknowledgement timed out (200 ms here), then acknowledged.
    await until(() => a.provider.status.pending === 0, 5000, 'the change sent again and acknowledged');
    assert.equal(room.doc.getText('title').toString(), 'xبطاقة');
  } finally {
    a.provider.destroy();
    a.awareness.destroy();
  }
});

test('a read-only client sends no document changes at all', async () => {
  const room = new FakeRoom({ canEdit: false });
  const r = client(room, false);
  r.transport.connect();
  await settle();
  r.doc.getText('title').insert(0, 'should not leave');
  await settle();
  assert.equal(room.updatesReceived, 0);
  const kinds = r.transport.sent.filter(([e]) => e === 'yjs').map(([, args]) => [args[1][0], args[1][1]]);
  assert.ok(kinds.every(([type, sub]) => type === 1 || (type === 0 && sub === 0)), JSON.stringify(kinds));
  r.provider.destroy();
  r.awareness.destroy();
});

test('destroy removes every listener', async () => {
  const room = new FakeRoom();
  const a = client(room);
  a.transport.connect();
  await settle();
  a.provider.destroy();
  assert.equal(a.transport._observers.get('connect')?.size ?? 0, 0);
  assert.equal(a.transport._observers.get('disconnect')?.size ?? 0, 0);
  assert.equal(a.transport._observers.get('room')?.size ?? 0, 0);
  assert.equal(a.transport.subscribers.size, 0);
  assert.equal(a.doc._observers.get('update')?.size ?? 0, 0);
  a.awareness.destroy();
});

test('a standing event stops editing at once and keeps the unsent change pending', async () => {
  const room = new FakeRoom();
  const a = client(room);
  a.transport.connect();
  await settle();
  const changes = [];
  a.provider.on('permissions', (p) => changes.push(p));
  room.holdAcks = true;
  a.doc.getText('title').insert(0, 'غير محفوظ ');
  await settle();
  room.canEdit = false;
  a.transport.emit('room', [7, { kind: 'standing', joined: true, role: 'lead', roles: ['lead'], can_edit: false,
    can_comment: true, reason: 'policy.status_in_review' }]);
  a.transport.emit('room', [8, { kind: 'standing', joined: false }]); // another card's: ignored
  assert.deepEqual(changes, [{
    canEdit: false, canComment: true, role: 'lead', roles: ['lead'], reason: 'policy.status_in_review', removed: false,
  }]);
  assert.equal(a.provider.status.canEdit, false);
  assert.equal(a.provider.status.pending, 1, 'the unsent change is not dropped');
  const sentBefore = room.updatesReceived;
  a.doc.getText('title').insert(0, 'x');
  await settle();
  assert.equal(room.updatesReceived, sentBefore, 'nothing more is sent');
  a.transport.emit('room', [7, { kind: 'standing', joined: false, role: null, can_edit: false, can_comment: false,
    reason: 'policy.no_role' }]);
  assert.equal(changes.at(-1).removed, true);
  assert.equal(a.provider.status.error.code, 'no_access');
  a.provider.destroy();
  a.awareness.destroy();
});

test('taken off the card while away: the refused join says so, as the missed standing event would', async () => {
  const room = new FakeRoom();
  const a = client(room);
  a.transport.connect();
  await settle();
  const changes = [];
  a.provider.on('permissions', (p) => changes.push(p));
  a.transport.disconnect();
  a.doc.getText('title').insert(0, 'كُتب دون اتصال ');
  room.access = false;
  a.transport.connect();
  await settle();
  assert.deepEqual(changes, [{
    canEdit: false, canComment: false, role: null, roles: [], reason: 'policy.no_role', removed: true,
  }]);
  assert.equal(a.provider.status.canEdit, false);
  assert.equal(a.provider.status.pending, 1, 'what was typed stays, to be offered for copying');
  assert.equal(room.updatesReceived, 0);
  a.provider.destroy();
  a.awareness.destroy();
});

test('rights given back live resume sending what waited', async () => {
  const room = new FakeRoom({ canEdit: false });
  const a = client(room, false);
  a.transport.connect();
  await settle();
  a.doc.getText('title').insert(0, 'في الانتظار ');
  await settle();
  assert.equal(room.updatesReceived, 0);
  room.canEdit = true;
  a.transport.emit('room', [7, { kind: 'standing', joined: true, role: 'contributor', can_edit: true, can_comment: true, reason: null }]);
  await settle();
  assert.equal(a.provider.status.pending, 0);
  assert.equal(room.doc.getText('title').toString(), 'في الانتظار بطاقة');
  a.provider.destroy();
  a.awareness.destroy();
});

test('thread room events of this card come out as `review`, others\' are ignored', async () => {
  const room = new FakeRoom();
  const a = client(room);
  const seen = [];
  a.provider.on('review', (event) => seen.push(event.kind));
  a.transport.connect();
  await settle();
  const thread = { id: 3, status: 'open', comments: [] };
  for (const kind of ['thread_created', 'comment_added', 'comment_edited', 'comment_deleted', 'thread_resolved', 'thread_reopened']) {
    a.transport.emit('room', [7, { kind, thread }]);
  }
  a.transport.emit('room', [8, { kind: 'thread_created', thread }]);
  a.transport.emit('room', [7, { kind: 'thread_exploded', thread }]);
  assert.deepEqual(seen, ['thread_created', 'comment_added', 'comment_edited', 'comment_deleted', 'thread_resolved', 'thread_reopened']);
  a.provider.destroy();
  a.awareness.destroy();
});

test('the page wears the presence colour the join answer gives, and sends it', async () => {
  const room = new FakeRoom();
  room.colour = '#2ca02c';
  const a = client(room);
  a.awareness.setLocalState({ user: { id: 3, name: 'سلمى', color: '#5b6775' }, field: null });
  a.transport.connect();
  await settle();
  assert.equal(a.awareness.getLocalState().user.color, '#2ca02c');
  assert.equal(a.awareness.getLocalState().user.name, 'سلمى');
  // A colour that is not one (a broken or hostile answer) is not worn.
  room.colour = 'red; background: url(x)';
  a.transport.disconnect();
  a.transport.connect();
  await settle();
  assert.equal(a.awareness.getLocalState().user.color, '#2ca02c');
  a.provider.destroy();
  a.awareness.destroy();
});
