/**
 * Anchors of comment ranges: a pair of Yjs relative positions (JSON, as the API stores them)
 * that follow the text they were made on through everyone's edits.
 *
 * Start and end associate differently: the start sticks to the first commented character
 * (assoc 0), the end to the last one (assoc -1). Text typed just before or just after the
 * range stays outside it, text typed inside grows it, and deleting the whole range brings
 * start and end together, which is how the page sees that the text is gone.
 *
 * Rich text goes through y-tiptap's mapping between ProseMirror positions and Yjs types; y-tiptap
 * makes every position left-associated, so the start is made again on the same Yjs index with
 * assoc 0.
 */
import * as Y from 'yjs';
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition } from '@tiptap/y-tiptap';
import { snapRange } from './offsets.js';

const toJSON = (rel) => Y.relativePositionToJSON(rel);

/** The anchor of the UTF-16 range `start`..`end` of a Y.Text (a text field or a table text cell). */
export function textAnchor(ytext, start, end) {
  const range = snapRange(ytext.toString(), start, end);
  return {
    start: toJSON(Y.createRelativePositionFromTypeIndex(ytext, range.start, 0)),
    end: toJSON(Y.createRelativePositionFromTypeIndex(ytext, range.end, -1)),
  };
}

/**
 * The anchor of the ProseMirror range `from`..`to` of a rich-text field.
 * @param {Y.XmlFragment} fragment the field's root
 * @param {Map} mapping y-tiptap's binding mapping (Yjs type -> ProseMirror node)
 */
export function richAnchor(fragment, mapping, from, to) {
  const doc = fragment.doc;
  const start = absolutePositionToRelativePosition(from, fragment, mapping);
  const end = absolutePositionToRelativePosition(to, fragment, mapping);
  const at = Y.createAbsolutePositionFromRelativePosition(start, doc);
  const right = at && at.type instanceof Y.XmlText ? Y.createRelativePositionFromTypeIndex(at.type, at.index, 0) : start;
  return { start: toJSON(right), end: toJSON(end) };
}

/**
 * Whether this page cannot judge the anchor yet: it names a change the page has not received
 * (someone typed and commented at once, and the comment arrived first).
 */
export function anchorAhead(doc, anchor) {
  for (const json of [anchor.start, anchor.end]) {
    if (!json) continue;
    const rel = Y.createRelativePositionFromJSON(json);
    const id = rel.item ?? rel.type;
    if (id && Y.getState(doc.store, id.client) <= id.clock) return true;
  }
  return false;
}

/**
 * Where a text anchor is now, in UTF-16 indexes of `ytext`: `{start, end}`, or null when the
 * anchor is no longer in this Y.Text (its table row was moved or deleted: moving a row copies it).
 */
export function resolveText(ytext, anchor) {
  if (!anchor) return null;
  const doc = ytext.doc;
  const [a, b] = [anchor.start, anchor.end].map((json) => Y.createAbsolutePositionFromRelativePosition(
    Y.createRelativePositionFromJSON(json), doc));
  if (!a || !b || a.type !== ytext || b.type !== ytext) return null;
  return { start: a.index, end: Math.max(a.index, b.index) };
}

/** Where a rich-text anchor is now, in ProseMirror positions: `{from, to}`, or null. */
export function resolveRich(fragment, mapping, anchor) {
  if (!anchor) return null;
  const doc = fragment.doc;
  const [from, to] = [anchor.start, anchor.end].map((json) => relativePositionToAbsolutePosition(
    doc, fragment, Y.createRelativePositionFromJSON(json), mapping));
  if (from == null || to == null) return null;
  return { from, to: Math.max(from, to) };
}
