import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { Schema } from '@tiptap/pm/model';
import { initProseMirrorDoc, prosemirrorJSONToYXmlFragment } from '@tiptap/y-tiptap';
import { anchorAhead, resolveRich, resolveText, richAnchor, textAnchor } from '../src/review/anchors.js';

const schema = new Schema({
  nodes: { doc: { content: 'block+' }, paragraph: { group: 'block', content: 'inline*' }, text: { group: 'inline' } },
  marks: { bold: {} },
});

/** Sync `b` from `a` (and back), as the room would. */
const sync = (a, b) => {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
};

test('a text anchor follows its characters through edits before, inside and after it', () => {
  const doc = new Y.Doc();
  const text = doc.getText('title');
  text.insert(0, 'تعزيز النشر الاستباقي للمعلومات');
  const start = text.toString().indexOf('النشر');
  const end = start + 'النشر الاستباقي'.length;
  const anchor = textAnchor(text, start, end);
  assert.equal(anchor.start.assoc, 0);
  assert.equal(anchor.end.assoc, -1);
  const quote = () => {
    const at = resolveText(text, anchor);
    return text.toString().slice(at.start, at.end);
  };
  text.insert(0, 'أ ');
  text.insert(text.length, ' ب');
  assert.equal(quote(), 'النشر الاستباقي');
  // Typed right before and right after the range: outside it.
  const at = resolveText(text, anchor);
  text.insert(at.end, '!');
  text.insert(at.start, '«');
  assert.equal(quote(), 'النشر الاستباقي');
  // Typed inside: part of it.
  text.insert(resolveText(text, anchor).start + 5, ' ال');
  assert.equal(quote(), 'النشر ال الاستباقي');
  // The whole range deleted: start meets end.
  const gone = resolveText(text, anchor);
  text.delete(gone.start, gone.end - gone.start);
  const after = resolveText(text, anchor);
  assert.equal(after.start, after.end);
});

test('a text anchor survives the trip through JSON to another client', () => {
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.getText('summary').insert(0, 'Le portail publie chaque mois.');
  sync(a, b);
  const anchor = JSON.parse(JSON.stringify(textAnchor(a.getText('summary'), 11, 17)));
  b.getText('summary').insert(0, 'Déjà : ');
  sync(a, b);
  const at = resolveText(b.getText('summary'), anchor);
  assert.equal(b.getText('summary').toString().slice(at.start, at.end), 'publie');
});

test('an anchor in another text (a moved table row is a copy) does not resolve there', () => {
  const doc = new Y.Doc();
  const one = doc.getText('one');
  one.insert(0, 'abc');
  const anchor = textAnchor(one, 0, 2);
  assert.equal(resolveText(doc.getText('two'), anchor), null);
  assert.equal(resolveText(one, null), null);
});

test('a range never splits an emoji', () => {
  const doc = new Y.Doc();
  const text = doc.getText('t');
  text.insert(0, 'ok 👋 ok');
  const at = resolveText(text, textAnchor(text, 4, 5));
  assert.equal(text.toString().slice(at.start, at.end), '👋');
});

test('a rich-text anchor resolves to the same ProseMirror range after remote edits', () => {
  const a = new Y.Doc();
  const fragment = a.getXmlFragment('problem');
  const json = { type: 'doc', content: [
    { type: 'paragraph', content: [{ type: 'text', text: 'على الرغم من دخول ' }, { type: 'text', text: 'القانون رقم 31.13', marks: [{ type: 'bold' }] }, { type: 'text', text: ' حيز التنفيذ.' }] },
    { type: 'paragraph', content: [{ type: 'text', text: 'ويترتب على هذا الوضع إضعاف الثقة.' }] },
  ] };
  prosemirrorJSONToYXmlFragment(schema, json, fragment);
  const view = () => initProseMirrorDoc(fragment, schema);
  const quoted = 'حيز التنفيذ';
  const range = (pm, text) => {
    let found = null;
    pm.descendants((node, pos) => {
      if (found === null && node.isText && node.text.includes(text)) found = pos + node.text.indexOf(text);
    });
    return { from: found, to: found + text.length };
  };
  let pm = view();
  const { from, to } = range(pm.doc, quoted);
  const anchor = JSON.parse(JSON.stringify(richAnchor(fragment, pm.mapping, from, to)));
  assert.equal(anchor.start.assoc, 0);
  assert.equal(anchor.end.assoc, -1);

  // Someone else adds a paragraph before and types inside the bold run.
  const b = new Y.Doc();
  sync(a, b);
  const other = b.getXmlFragment('problem');
  const p = new Y.XmlElement('paragraph');
  p.insert(0, [new Y.XmlText('فقرة جديدة')]);
  other.insert(0, [p]);
  sync(a, b);
  pm = view();
  let at = resolveRich(fragment, pm.mapping, anchor);
  assert.equal(pm.doc.textBetween(at.from, at.to), quoted);

  // A whole paragraph deleted ahead of it does not move it off its words either.
  fragment.delete(0, 1);
  pm = view();
  at = resolveRich(fragment, pm.mapping, anchor);
  assert.equal(pm.doc.textBetween(at.from, at.to), quoted);

  // The quoted words deleted: the range is empty.
  const textNode = fragment.get(0).get(0); // one Y.XmlText per paragraph, marks as formatting
  const index = textNode.toDelta().map((d) => d.insert).join('').indexOf(quoted);
  textNode.delete(index, quoted.length);
  pm = view();
  at = resolveRich(fragment, pm.mapping, anchor);
  assert.ok(at === null || at.from === at.to, JSON.stringify(at));
});

test('an anchor naming changes this page has not received yet is recognised', () => {
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.getText('t').insert(0, 'ancien');
  sync(a, b);
  a.getText('t').insert(6, ' et nouveau');
  const anchor = textAnchor(a.getText('t'), 7, 17);
  assert.equal(anchorAhead(b, anchor), true);
  assert.equal(anchorAhead(a, anchor), false);
  sync(a, b);
  assert.equal(anchorAhead(b, anchor), false);
  const at = resolveText(b.getText('t'), anchor);
  assert.equal(b.getText('t').toString().slice(at.start, at.end), 'et nouveau');
});
