import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countThreads, filterOf, orderThreads, upsertThread, withRights } from '../src/review/threads.js';

const person = (id, name) => ({ id, name, organisation: '' });
const thread = (id, over = {}) => ({
  id, card_id: 1, field: 'problem', row: null, column: null, kind: 'range', status: 'open', detached: false,
  quote: 'q', anchor: null, start: 0, end: 1, created_at: `2024-05-0${id}T10:00:00Z`, created_by: person(1, 'A'),
  comments: [], ...over,
});

test('filters are disjoint: open, detached (open, text gone), resolved (whatever the text)', () => {
  assert.equal(filterOf(thread(1), false), 'open');
  assert.equal(filterOf(thread(1), true), 'detached');
  assert.equal(filterOf(thread(1, { status: 'resolved' }), true), 'resolved');
  const threads = [thread(1), thread(2, { detached: true }), thread(3, { status: 'resolved' }), thread(4)];
  assert.deepEqual(countThreads(threads, (t) => t.detached), { open: 2, detached: 1, resolved: 1, unresolved: 3 });
});

test('document order: card, then template field order, row, column, position, then age', () => {
  const fields = ['title', 'milestones', 'problem'];
  const rows = ['r2', 'r1'];
  const threads = [
    thread(1, { field: 'problem', start: 40 }),
    thread(2, { field: 'problem', start: 5 }),
    thread(3, { field: 'milestones', row: 'r1', column: 'activity', start: 0 }),
    thread(4, { field: 'milestones', row: 'r2', column: 'deliverable', start: 0 }),
    thread(5, { field: 'milestones', row: 'r2', column: 'activity', start: 3 }),
    thread(6, { field: null, kind: 'card', start: null }),
    thread(7, { field: 'problem', kind: 'field', start: null }),
    thread(8, { field: 'title', start: 2 }),
    thread(9, { field: 'problem', start: 5 }),
  ];
  const columns = ['activity', 'deliverable'];
  const placeOf = (t) => ({
    field: t.field == null ? -1 : fields.indexOf(t.field),
    row: t.row == null ? -1 : rows.indexOf(t.row),
    column: t.column == null ? -1 : columns.indexOf(t.column),
    position: t.kind === 'range' ? t.start : -1,
  });
  assert.deepEqual(orderThreads(threads, placeOf).map((t) => t.id), [6, 8, 5, 4, 3, 7, 2, 9, 1]);
  assert.deepEqual(threads.map((t) => t.id), [1, 2, 3, 4, 5, 6, 7, 8, 9], 'the input is left as it was');
});

test('an upsert replaces the thread with the same id, or adds it', () => {
  const a = thread(1);
  const b = thread(2);
  const list = [a, b];
  const b2 = { ...b, status: 'resolved' };
  const next = upsertThread(list, b2);
  assert.deepEqual(next.map((t) => t.status), ['open', 'resolved']);
  assert.equal(next[0], a);
  assert.equal(list[1], b, 'the old list is not changed');
  assert.deepEqual(upsertThread(list, thread(3)).map((t) => t.id), [1, 2, 3]);
});

test('rights: the server\'s when it sent them, else the page\'s; "mine" from the author', () => {
  const live = thread(1, { comments: [{ id: 1, author: person(5, 'Me'), mine: false }, { id: 2, author: person(6, 'Other'), mine: true }] });
  const seen = withRights(live, { canComment: true, selfId: 5 });
  assert.deepEqual(seen.can, { reply: true, resolve: true });
  assert.deepEqual(seen.comments.map((c) => c.mine), [true, false]);
  assert.deepEqual(withRights(live, { canComment: false, selfId: 5 }).can, { reply: false, resolve: false });
  const fromApi = withRights({ ...live, can: { reply: true, resolve: false } }, { canComment: true, selfId: 5 });
  assert.deepEqual(fromApi.can, { reply: true, resolve: false });
  const kept = withRights(live, { canComment: true, selfId: 5, can: { reply: false, resolve: false } });
  assert.deepEqual(kept.can, { reply: false, resolve: false });
  assert.deepEqual(withRights(live, { canComment: true, selfId: null }).comments.map((c) => c.mine), [false, true]);
});
