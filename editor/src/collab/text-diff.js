/**
 * Minimal edits between two strings, and caret positions carried through remote edits.
 *
 * Plain inputs bound to a Y.Text only ever report their whole new value; turning that into
 * the smallest delete + insert (common prefix and suffix kept) is what lets two people type
 * in the same cell without overwriting each other. Indices are UTF-16 code units, as in Yjs.
 */

const isHighSurrogate = (code) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code) => code >= 0xdc00 && code <= 0xdfff;

/**
 * The single change that turns `before` into `after`.
 *
 * When the caret position after the edit is known, the change is made to end there: typing a
 * space next to another space is then recorded where it was typed, which matters when
 * someone else types at the same place at the same time.
 *
 * @param {string} before
 * @param {string} after
 * @param {number} [caret] caret offset in `after` once the edit is done
 * @returns {{index: number, remove: number, insert: string}}
 */
export function diffStrings(before, after, caret = null) {
  const shortest = Math.min(before.length, after.length);
  const sameAt = (i, j) => before.charCodeAt(i) === after.charCodeAt(j);
  let prefix = 0;
  let suffix = 0;
  if (caret !== null && caret >= 0 && caret <= after.length) {
    // Text after the caret is untouched: match it first, then what precedes the change.
    const suffixLimit = Math.min(shortest, after.length - caret);
    while (suffix < suffixLimit && sameAt(before.length - 1 - suffix, after.length - 1 - suffix)) suffix++;
    while (prefix < shortest - suffix && sameAt(prefix, prefix)) prefix++;
  } else {
    while (prefix < shortest && sameAt(prefix, prefix)) prefix++;
    while (suffix < shortest - prefix && sameAt(before.length - 1 - suffix, after.length - 1 - suffix)) suffix++;
  }
  // Never cut a surrogate pair in two: an emoji or a rare CJK character stays whole.
  if (prefix > 0 && isHighSurrogate(before.charCodeAt(prefix - 1))) prefix--;
  if (suffix > 0 && isLowSurrogate(before.charCodeAt(before.length - suffix))) suffix--;
  return {
    index: prefix,
    remove: before.length - prefix - suffix,
    insert: after.slice(prefix, after.length - suffix),
  };
}

/**
 * Apply the minimal change from the Y.Text's current value to `after`, in one transaction.
 *
 * @param {import('yjs').Text} ytext
 * @param {string} after
 * @param {any} origin transaction origin, so the binding can ignore its own echo
 * @returns {boolean} whether anything changed
 */
export function applyValue(ytext, after, origin) {
  const { index, remove, insert } = diffStrings(ytext.toString(), after);
  if (remove === 0 && insert === '') return false;
  const apply = () => {
    if (remove > 0) ytext.delete(index, remove);
    if (insert) ytext.insert(index, insert);
  };
  if (ytext.doc) ytext.doc.transact(apply, origin);
  else apply();
  return true;
}

/**
 * Where a position ends up after a Yjs text delta.
 *
 * Text inserted exactly at the position goes after it (the caret stays before remote text
 * typed at the same place); text deleted around it pulls it back to the deletion's start.
 *
 * @param {number} position
 * @param {Array<{retain?: number, insert?: string|object, delete?: number}>} delta
 * @returns {number}
 */
export function transformPosition(position, delta) {
  let cursor = 0; // position in the old text
  let shift = 0;
  for (const op of delta) {
    if (cursor > position) break;
    if (op.retain != null) {
      cursor += op.retain;
    } else if (op.insert != null) {
      const length = typeof op.insert === 'string' ? op.insert.length : 1;
      if (cursor < position) shift += length;
    } else if (op.delete != null) {
      const end = cursor + op.delete;
      if (end <= position) shift -= op.delete;
      else if (cursor < position) shift -= position - cursor;
      cursor = end;
    }
  }
  return Math.max(0, position + shift);
}
