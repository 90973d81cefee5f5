import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { applyValue, diffStrings, transformPosition } from '../src/collab/text-diff.js';

test('diff keeps the common prefix and suffix', () => {
  assert.deepEqual(diffStrings('abcdef', 'abXYef'), { index: 2, remove: 2, insert: 'XY' });
  assert.deepEqual(diffStrings('', 'مرحبا'), { index: 0, remove: 0, insert: 'مرحبا' });
  assert.deepEqual(diffStrings('aaa', 'aaaa'), { index: 3, remove: 0, insert: 'a' });
  assert.deepEqual(diffStrings('same', 'same'), { index: 4, remove: 0, insert: '' });
});

test('the caret decides where an ambiguous insertion was made', () => {
  // "a b" -> "a  b": the new space is either side of the old one; the caret says which.
  assert.deepEqual(diffStrings('a b', 'a  b', 2), { index: 1, remove: 0, insert: ' ' });
  assert.deepEqual(diffStrings('a b', 'a  b', 3), { index: 2, remove: 0, insert: ' ' });
  assert.deepEqual(diffStrings('aaa', 'aaaa', 1), { index: 0, remove: 0, insert: 'a' });
  // A deletion with the caret where it happened.
  assert.deepEqual(diffStrings('abba', 'aba', 1), { index: 1, remove: 1, insert: '' });
  assert.deepEqual(diffStrings('abba', 'aba', 2), { index: 2, remove: 1, insert: '' });
});

test('diff never splits a surrogate pair', () => {
  const d = diffStrings('a\u{1F600}b', 'a\u{1F601}b');
  assert.equal(d.index, 1);
  assert.equal(d.remove, 2);
  assert.equal(d.insert, '\u{1F601}');
});

test('concurrent edits of one Y.Text through minimal diffs both survive', () => {
  const a = new Y.Doc();
  const b = new Y.Doc();
  applyValue(a.getText('t'), 'الإدارة', 'x');
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
  applyValue(a.getText('t'), 'الإدارة الرقمية', 'x');
  applyValue(b.getText('t'), 'Nouvelle الإدارة', 'x');
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
  assert.equal(a.getText('t').toString(), 'Nouvelle الإدارة الرقمية');
  assert.equal(b.getText('t').toString(), a.getText('t').toString());
});

test('caret positions follow remote inserts and deletes', () => {
  assert.equal(transformPosition(5, [{ insert: 'ab' }]), 7);
  assert.equal(transformPosition(5, [{ retain: 5 }, { insert: 'ab' }]), 5);
  assert.equal(transformPosition(5, [{ retain: 6 }, { insert: 'ab' }]), 5);
  assert.equal(transformPosition(5, [{ retain: 1 }, { delete: 2 }]), 3);
  assert.equal(transformPosition(5, [{ retain: 3 }, { delete: 5 }]), 3);
  assert.equal(transformPosition(2, [{ retain: 3 }, { delete: 5 }]), 2);
});

test('transformPosition agrees with a real Y.Text event', () => {
  const doc = new Y.Doc();
  const text = doc.getText('t');
  text.insert(0, 'hello world');
  let delta = null;
  text.observe((event) => { delta = event.delta; });
  doc.transact(() => { text.delete(0, 6); text.insert(0, 'bonjour '); });
  const caret = 'hello wor'.length; // before "ld"
  assert.equal(text.toString().slice(transformPosition(caret, delta)), 'ld');
});
