import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReviewStore } from '../src/review/store.js';
import { ApiError, reviewApi } from '../src/review/api.js';
import { FakeReviewApi } from './fake-review-api.mjs';

const me = { id: 5, name: 'Salma Idrissi', organisation: 'Ministère' };
const other = { id: 6, name: 'نادية الشرقاوي', organisation: 'جمعية' };

test('the store loads, creates, replies, resolves and reopens through the API', async () => {
  const api = new FakeReviewApi({ me });
  const store = new ReviewStore({ api, canComment: true, selfId: me.id });
  let changes = 0;
  store.on('change', () => { changes += 1; });
  await store.load();
  assert.deepEqual(store.threads, []);
  const created = await store.create({ field: 'problem', row: null, column: null, body: 'À revoir', quote: 'حيز التنفيذ', anchor: { start: {}, end: {} } });
  assert.equal(created.kind, 'range');
  assert.deepEqual(created.can, { reply: true, resolve: true });
  assert.equal(created.comments[0].mine, true);
  await store.reply(created.id, 'Merci @[نادية الشرقاوي](mention:6)');
  assert.equal(store.get(created.id).comments.length, 2);
  await store.resolve(created.id);
  assert.equal(store.get(created.id).status, 'resolved');
  await store.reopen(created.id);
  assert.equal(store.get(created.id).status, 'open');
  const [first] = store.get(created.id).comments;
  await store.edit(first.id, 'À revoir, svp');
  assert.equal(store.get(created.id).comments[0].body, 'À revoir, svp');
  await store.remove(first.id);
  assert.equal(store.get(created.id).comments[0].deleted, true);
  assert.equal(changes, 7, "one change for the load and one for each action");
});

test('room events upsert threads with the page\'s rights and its own idea of "mine"', async () => {
  const api = new FakeReviewApi({ me: other });
  const store = new ReviewStore({ api, canComment: false, selfId: me.id });
  const created = await api.create({ field: null, body: 'Sur toute la carte' });
  assert.equal(store.receive(api.event('thread_created', created.id)), true);
  assert.deepEqual(store.get(created.id).can, { reply: false, resolve: false });
  assert.equal(store.get(created.id).comments[0].mine, false);
  // A reply from this person, arriving as a room event (written in another tab).
  api.me = me;
  await api.reply(created.id, 'De moi');
  store.receive(api.event('comment_added', created.id));
  assert.deepEqual(store.get(created.id).comments.map((c) => c.mine), [false, true]);
  assert.equal(store.threads.length, 1);
  assert.equal(store.receive({ kind: 'standing', can_edit: true }), false, 'other kinds are left to the provider');
  assert.equal(store.receive({ kind: 'thread_created' }), false);
  store.setCanComment(true);
  assert.deepEqual(store.get(created.id).can, { reply: true, resolve: true });
});

test('a reload replaces the list; the server\'s refusals reach the caller with its message', async () => {
  const api = new FakeReviewApi({ me, canComment: false });
  const store = new ReviewStore({ api, canComment: true, selfId: me.id });
  await assert.rejects(store.create({ field: null, body: 'x' }), (error) => error instanceof ApiError
    && error.status === 403 && error.message === 'Vous ne pouvez pas commenter cette carte.');
  api.canComment = true;
  await store.create({ field: null, body: 'x' });
  api.byId.clear();
  await store.load();
  assert.deepEqual(store.threads, []);
  const members = await Promise.all([store.mentionable(), store.mentionable()]);
  assert.equal(members.length, 2);
  assert.equal(api.calls.filter(([name]) => name === 'mentionable').length, 1, 'members are asked once');
});

test('the HTTP client sends the CSRF token on writes and turns error bodies into ApiError', async () => {
  const sent = [];
  const answers = [
    { ok: true, status: 200, json: async () => ({ threads: [{ id: 1 }] }) },
    { ok: false, status: 422, json: async () => ({ error: 'invalid', message: 'Le commentaire est vide.', field: 'body' }) },
    { ok: false, status: 500, json: async () => { throw new SyntaxError('not JSON'); } },
  ];
  const fetch = async (url, init) => {
    sent.push([url, init]);
    return answers.shift();
  };
  const api = reviewApi({ cardId: 4, csrf: 'tok', unreachable: 'Serveur injoignable', fetch });
  assert.deepEqual(await api.threads(), [{ id: 1 }]);
  assert.equal(sent[0][0], '/api/v1/cards/4/threads?status=all');
  assert.equal(sent[0][1].headers['X-CSRF-Token'], undefined);
  await assert.rejects(api.create({ field: 'title', body: '' }), (e) => e.status === 422 && e.code === 'invalid'
    && e.message === 'Le commentaire est vide.' && e.field === 'body');
  assert.equal(sent[1][0], '/api/v1/cards/4/threads');
  assert.equal(sent[1][1].method, 'POST');
  assert.equal(sent[1][1].headers['X-CSRF-Token'], 'tok');
  assert.deepEqual(JSON.parse(sent[1][1].body), { field: 'title', body: '' });
  await assert.rejects(api.resolve(9), (e) => e.status === 500 && e.message === 'Serveur injoignable');
  assert.equal(sent[2][0], '/api/v1/threads/9/resolve');
  const offline = reviewApi({ cardId: 4, csrf: 'tok', unreachable: 'Serveur injoignable', fetch: async () => { throw new TypeError('fail'); } });
  await assert.rejects(offline.remove(3), (e) => e.status === 0 && e.code === 'network');
});
