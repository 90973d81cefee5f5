/**
 * Mentions in a comment's Markdown body: `@[Display Name](mention:USER_ID)`. Building the
 * token, reading tokens back, finding the `@word` being typed, and matching it against the
 * card's members (Arabic and French names alike, without diacritics or letter variants
 * getting in the way).
 */

const TOKEN = /@\[([^\]\n]*)\]\((?:mention):([^)\s]+)\)/g;

/** The token for one member. Brackets in a name would end the token early: they become parentheses. */
export function mentionToken(member) {
  const name = String(member.name ?? '').replace(/\[/g, '(').replace(/\]/g, ')').replace(/\s+/g, ' ').trim();
  return `@[${name}](mention:${member.id})`;
}

/** Every mention token in `body`, with where it sits. */
export function parseMentions(body) {
  const found = [];
  for (const match of String(body).matchAll(TOKEN)) {
    found.push({ name: match[1], id: match[2], start: match.index, end: match.index + match[0].length });
  }
  return found;
}

// What may precede an `@` that starts a mention: nothing, a space, an opening bracket or quote
// (an e-mail address is not a mention).
const BEFORE_AT = /[\s([{«"'“]/u;
const MAX_QUERY = 40;

/**
 * The mention being typed just before the caret, if any: `{start, query}`, `start` the index
 * of the `@`. A query may hold spaces (full names) but no line break and no token bracket.
 */
export function mentionQuery(text, caret) {
  const before = text.slice(Math.max(0, caret - MAX_QUERY - 1), caret);
  const at = before.lastIndexOf('@');
  if (at < 0) return null;
  const start = caret - before.length + at;
  const query = text.slice(start + 1, caret);
  if (/[\n[\]()]/.test(query) || /^\s/.test(query) || /\s{2,}/.test(query)) return null;
  if (start > 0 && !BEFORE_AT.test(text[start - 1])) return null;
  return { start, query };
}

/** Folded for matching: no case, no diacritics (French accents, Arabic short vowels), one form per Arabic letter. */
export function fold(text) {
  return String(text ?? '').normalize('NFKD').replace(/\p{M}/gu, '').replace(/\u0640/g, '')
    .replace(/[أإآٱ]/g, 'ا').replace(/ى/g, 'ي').replace(/ة/g, 'ه').replace(/ؤ/g, 'و').replace(/ئ/g, 'ي')
    .toLowerCase();
}

/**
 * The members matching `query`, best first: a name starting with it, then a word of the name,
 * then anywhere in the name or the organisation. An empty query lists everyone.
 */
export function matchMembers(members, query, limit = 8) {
  const q = fold(query).trim();
  const scored = [];
  for (const member of members) {
    const name = fold(member.name);
    const org = fold(member.organisation);
    let score = -1;
    if (!q || name.startsWith(q)) score = 0;
    else if (name.split(/\s+/).some((word) => word.startsWith(q))) score = 1;
    else if (name.includes(q)) score = 2;
    else if (org.includes(q)) score = 3;
    if (score >= 0) scored.push({ member, score });
  }
  scored.sort((a, b) => a.score - b.score || String(a.member.name).localeCompare(String(b.member.name)));
  return scored.slice(0, limit).map((s) => s.member);
}

/**
 * `text` with the mention being typed (from `start` to `caret`) replaced by the member's token
 * and a space, and where the caret goes after it.
 */
export function insertMention(text, { start, caret }, member) {
  const token = `${mentionToken(member)} `;
  const rest = text.slice(caret).replace(/^ /, '');
  return { text: text.slice(0, start) + token + rest, caret: start + token.length };
}
