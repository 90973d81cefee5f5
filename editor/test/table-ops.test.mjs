import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { RowDeletions, addRow, deleteRow, moveRow, newRowId } from '../src/collab/table-ops.js';

const columns = [{ id: 'activity', type: 'text' }, { id: 'start', type: 'month' }];

function table() {
  const doc = new Y.Doc();
  return { doc, rows: doc.getArray('milestones') };
}

test('row ids are 12 hex characters and random', () => {
  assert.match(newRowId(), /^[0-9a-f]{12}$/);
  assert.notEqual(newRowId(), newRowId());
});

test('addRow makes text cells Y.Text and other cells strings, in one transaction', () => {
  const { doc, rows } = table();
  let transactions = 0;
  doc.on('afterTransaction', () => transactions++);
  const id = addRow(rows, columns);
  assert.equal(transactions, 1);
  const row = rows.get(0);
  assert.equal(row.get('id'), id);
  assert.ok(row.get('activity') instanceof Y.Text);
  assert.equal(row.get('start'), '');
});

test('moveRow keeps the id and the cells, deleteRow removes', () => {
  const { rows } = table();
  const ids = [addRow(rows, columns), addRow(rows, columns), addRow(rows, columns)];
  rows.get(0).get('activity').insert(0, 'ورشة');
  rows.get(0).set('start', '2025-03');
  assert.equal(moveRow(rows, 0, 2), true);
  assert.deepEqual(rows.toArray().map((r) => r.get('id')), [ids[1], ids[2], ids[0]]);
  assert.equal(rows.get(2).get('activity').toString(), 'ورشة');
  assert.equal(rows.get(2).get('start'), '2025-03');
  assert.equal(moveRow(rows, 1, 1), false);
  deleteRow(rows, 0);
  assert.deepEqual(rows.toArray().map((r) => r.get('id')), [ids[2], ids[0]]);
  assert.throws(() => deleteRow(rows, 5), RangeError);
});

test('a moved row syncs to another replica without duplicates', () => {
  const a = table();
  const b = new Y.Doc();
  addRow(a.rows, columns);
  addRow(a.rows, columns);
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a.doc));
  moveRow(a.rows, 1, 0);
  addRow(b.getArray('milestones'), columns);
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a.doc));
  Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(b));
  const idsA = a.rows.toArray().map((r) => r.get('id'));
  assert.equal(idsA.length, 3);
  assert.equal(new Set(idsA).size, 3);
  assert.deepEqual(b.getArray('milestones').toArray().map((r) => r.get('id')), idsA);
});

test('a deleted row comes back with its id, content and place, for everyone', () => {
  const a = table();
  for (const text of ['one', 'two', 'three']) {
    addRow(a.rows, columns);
    a.rows.get(a.rows.length - 1).get('activity').insert(0, text);
  }
  const b = new Y.Doc();
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a.doc));
  a.doc.on('update', (update) => Y.applyUpdate(b, update));
  const snapshot = (doc) => doc.getArray('milestones').toArray().map((row) => [row.get('id'), row.get('activity').toString()]);
  const before = snapshot(a.doc);

  const deletions = new RowDeletions(a.rows);
  deletions.delete(1);
  assert.deepEqual(snapshot(b), [before[0], before[2]]);
  // Typing elsewhere and someone else's row at the end are not undone, and do not move it.
  a.rows.get(0).get('activity').insert(3, '!');
  addRow(a.rows, columns);
  const index = deletions.restore();
  assert.equal(index, 1);
  const after = snapshot(b);
  assert.deepEqual(after.slice(0, 3), [[before[0][0], 'one!'], before[1], before[2]]);
  assert.equal(after.length, 4);
  assert.deepEqual(snapshot(a.doc), after);
  assert.equal(deletions.restore(), -1, 'nothing more to restore');
  deletions.destroy();
});

test('deletions are restored latest first, and can be forgotten', () => {
  const { rows } = table();
  for (let i = 0; i < 4; i++) addRow(rows, columns);
  const ids = rows.toArray().map((row) => row.get('id'));
  const deletions = new RowDeletions(rows);
  deletions.delete(0);
  deletions.delete(2); // the last row, now at 2
  assert.equal(deletions.size, 2);
  assert.equal(deletions.restore(), 2);
  assert.deepEqual(rows.toArray().map((row) => row.get('id')), ids.slice(1));
  deletions.clear();
  assert.equal(deletions.restore(), -1);
  assert.deepEqual(rows.toArray().map((row) => row.get('id')), ids.slice(1));
  deletions.destroy();
});
