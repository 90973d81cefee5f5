/**
 * Interface messages handed over by the server (keys editor.*, criteria.*, status.*), with
 * `{name}` placeholders as in server/i18n. A missing key shows as itself, so it is noticed.
 *
 * A counted message is an object keyed by CLDR plural category ({zero, one, two, few, many,
 * other}) with its count as `{n}`: `Intl.PluralRules` picks the form, as Babel does on the
 * server, and the count is written with the language's separators in Western digits.
 */
export function translator(messages, lang) {
  const plurals = new Intl.PluralRules(lang);
  const numbers = new Intl.NumberFormat(lang, { numberingSystem: 'latn' });
  const t = (key, params) => {
    let text = messages[key] ?? key;
    if (typeof text === 'object') {
      if (typeof params?.n !== 'number') throw new TypeError(`${key} is a counted message: pass its count as n`);
      text = text[plurals.select(params.n)] ?? text.other;
      params = { ...params, n: numbers.format(params.n) };
    }
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
  };
  /** A template string in the interface language ({ar, fr, en} objects from schemas/). */
  t.pick = (labels) => (labels ? labels[lang] ?? labels.en ?? Object.values(labels)[0] ?? '' : '');
  t.lang = lang;
  return t;
}
