import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { translator } from '../src/i18n.js';

// The server's catalogues, as the card page hands them over (server/views: editor_messages).
const catalogue = (lang) => JSON.parse(readFileSync(new URL(`../../server/i18n/${lang}.json`, import.meta.url), 'utf8'));
const LANGS = ['ar', 'fr', 'en'];
const COUNTS = [0, 1, 2, 3, 11, 100];
// The CLDR category of each count, as tests/foundation/test_i18n.py has it from Babel.
const CATEGORY = {
  ar: ['zero', 'one', 'two', 'few', 'many', 'other'],
  fr: ['one', 'one', 'other', 'other', 'other', 'other'],
  en: ['other', 'one', 'other', 'other', 'other', 'other'],
};

const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((name) => name !== 'n');
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));

test('Intl.PluralRules gives the categories Babel gives the server', () => {
  for (const lang of LANGS) {
    const rules = new Intl.PluralRules(lang);
    assert.deepEqual(COUNTS.map((n) => rules.select(n)), CATEGORY[lang], lang);
  }
  assert.deepEqual(new Intl.PluralRules('ar').resolvedOptions().pluralCategories.sort(),
    ['few', 'many', 'one', 'other', 'two', 'zero']);
});

test('every counted message picks the form that agrees with its number', () => {
  let walked = 0;
  for (const lang of LANGS) {
    const messages = catalogue(lang);
    const t = translator(messages, lang);
    for (const [key, entry] of Object.entries(messages)) {
      if (typeof entry !== 'object') continue;
      const params = Object.fromEntries(Object.values(entry).flatMap(placeholders).map((name) => [name, `<${name}>`]));
      COUNTS.forEach((n, i) => {
        const form = entry[CATEGORY[lang][i]];
        assert.ok(form, `${lang} ${key} has no ${CATEGORY[lang][i]} form`);
        assert.equal(t(key, { ...params, n }), fill(form, { ...params, n }), `${lang} ${key} ${n}`);
      });
      walked += 1;
    }
  }
  assert.ok(walked >= 3 * 20, `only ${walked} counted messages walked`);
});

test('open comments read right in Arabic', () => {
  const t = translator(catalogue('ar'), 'ar');
  assert.deepEqual(COUNTS.map((n) => t('editor.review.field_count', { n })), [
    'لا تعليقات مفتوحة على هذا الحقل',
    'تعليق واحد مفتوح على هذا الحقل',
    'تعليقان مفتوحان على هذا الحقل',
    '3 تعليقات مفتوحة على هذا الحقل',
    '11 تعليقًا مفتوحًا على هذا الحقل',
    '100 تعليق مفتوح على هذا الحقل',
  ]);
  assert.equal(t('export.preparing', { n: 11 }), 'جار إعداد الوثيقة (11 التزامًا)…');
  assert.equal(t('editor.length', { used: 7, n: 500 }), '7 / 500 حرف');
});

test('a count is written as the language writes numbers, in Western digits', () => {
  assert.equal(translator(catalogue('ar'), 'ar')('editor.review.field_count', { n: 12500 }), '12,500 تعليق مفتوح على هذا الحقل');
  assert.equal(translator(catalogue('fr'), 'fr')('editor.review.field_count', { n: 12500 }), '12\u202f500 commentaires ouverts sur ce champ');
  assert.equal(translator(catalogue('fr'), 'fr')('editor.review.field_count', { n: 1e6 }), '1\u202f000\u202f000 de commentaires ouverts sur ce champ');
  assert.equal(translator(catalogue('en'), 'en')('editor.review.field_count', { n: 1 }), '1 open comment on this field');
});

test('plain messages keep their placeholders; a counted one needs its count', () => {
  const t = translator(catalogue('fr'), 'fr');
  assert.equal(t('editor.cell', { column: 'Jalon', n: '—' }), 'Jalon, ligne —');
  assert.equal(t('no.such.key'), 'no.such.key');
  assert.throws(() => t('editor.review.field_count'), /counted message/);
});
