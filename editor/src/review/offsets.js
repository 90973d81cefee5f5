/**
 * Offsets into plain text. A text input's selection and a Y.Text index count UTF-16 code
 * units (what a JavaScript string counts); the server's `start` / `end` count Unicode code
 * points (server/review/plain.py). They differ only past a character outside the Basic
 * Multilingual Plane (an emoji, some CJK), which is exactly where a wrong conversion would
 * split a character in two.
 */

const isHigh = (code) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code) => code >= 0xdc00 && code <= 0xdfff;

/** The code-point offset of the UTF-16 `index` of `text` (clamped to the text). */
export function utf16ToCodePoint(text, index) {
  const end = Math.max(0, Math.min(index, text.length));
  let points = 0;
  for (let i = 0; i < end; i += 1) {
    // The low half of a pair is the same character as the high half before it.
    if (!(isLow(text.charCodeAt(i)) && i > 0 && isHigh(text.charCodeAt(i - 1)))) points += 1;
  }
  return points;
}

/** The UTF-16 index of the code-point offset `point` of `text` (clamped to the text). */
export function codePointToUtf16(text, point) {
  let index = 0;
  let seen = 0;
  while (index < text.length && seen < point) {
    index += isHigh(text.charCodeAt(index)) && isLow(text.charCodeAt(index + 1)) ? 2 : 1;
    seen += 1;
  }
  return index;
}

/**
 * A UTF-16 range of `text` that splits no character: in order, inside the text, its start
 * moved back and its end moved forward off the middle of a surrogate pair.
 */
export function snapRange(text, start, end) {
  let a = Math.max(0, Math.min(start, end, text.length));
  let b = Math.max(0, Math.min(Math.max(start, end), text.length));
  if (a > 0 && isLow(text.charCodeAt(a)) && isHigh(text.charCodeAt(a - 1))) a -= 1;
  if (b > 0 && b < text.length && isLow(text.charCodeAt(b)) && isHigh(text.charCodeAt(b - 1))) b += 1;
  return { start: a, end: b };
}
