import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codePointToUtf16, snapRange, utf16ToCodePoint } from '../src/review/offsets.js';

const text = 'مرحبا 👋 à tous 𝒳';

test('UTF-16 and code-point offsets agree on Arabic and French text (all inside the BMP)', () => {
  const plain = 'البوابة « chafafiya » ';
  for (let i = 0; i <= plain.length; i += 1) {
    assert.equal(utf16ToCodePoint(plain, i), i);
    assert.equal(codePointToUtf16(plain, i), i);
  }
});

test('characters outside the BMP count two UTF-16 units and one code point', () => {
  const wave = text.indexOf('👋');
  assert.equal(utf16ToCodePoint(text, wave), wave);
  assert.equal(utf16ToCodePoint(text, wave + 2), wave + 1);
  assert.equal(codePointToUtf16(text, wave + 1), wave + 2);
  assert.equal(utf16ToCodePoint(text, text.length), [...text].length);
  assert.equal(codePointToUtf16(text, [...text].length), text.length);
  // Round trip on every code-point boundary.
  for (let p = 0; p <= [...text].length; p += 1) assert.equal(utf16ToCodePoint(text, codePointToUtf16(text, p)), p);
});

test('offsets past the text are clamped', () => {
  assert.equal(utf16ToCodePoint(text, 1000), [...text].length);
  assert.equal(codePointToUtf16(text, 1000), text.length);
  assert.equal(utf16ToCodePoint(text, -3), 0);
});

test('a range never splits a surrogate pair, and comes out in order', () => {
  const wave = text.indexOf('👋');
  assert.deepEqual(snapRange(text, wave + 1, wave + 1), { start: wave, end: wave + 2 });
  assert.deepEqual(snapRange(text, 0, wave + 1), { start: 0, end: wave + 2 });
  assert.deepEqual(snapRange(text, wave + 1, text.length), { start: wave, end: text.length });
  assert.deepEqual(snapRange(text, 5, 2), { start: 2, end: 5 });
  assert.deepEqual(snapRange(text, -1, 999), { start: 0, end: text.length });
});
