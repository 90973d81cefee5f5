/**
 * Interface messages handed over by the server (keys editor.*, criteria.*, status.*), with
 * `{name}` placeholders as in server/i18n. A missing key shows as itself, so it is noticed.
 */
export function translator(messages, lang) {
  const t = (key, params) => {
    const text = messages[key] ?? key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
  };
  /** A template string in the interface language ({ar, fr, en} objects from schemas/). */
  t.pick = (labels) => (labels ? labels[lang] ?? labels.en ?? Object.values(labels)[0] ?? '' : '');
  t.lang = lang;
  return t;
}
