import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fold, insertMention, matchMembers, mentionQuery, mentionToken, parseMentions } from '../src/review/mentions.js';

const members = [
  { id: 7, name: 'نادية الشرقاوي', organisation: 'جمعية الشفافية المغربية' },
  { id: 12, name: 'Yassine Berrada', organisation: 'Ministère de la Transition numérique' },
  { id: 3, name: 'Élodie Martin', organisation: 'OCDE' },
  { id: 9, name: 'Karim [DGSN] Alaoui', organisation: '' },
];

test('a token names the member and carries the id; brackets in a name cannot end it early', () => {
  assert.equal(mentionToken(members[0]), '@[نادية الشرقاوي](mention:7)');
  assert.equal(mentionToken(members[3]), '@[Karim (DGSN) Alaoui](mention:9)');
  assert.deepEqual(parseMentions(mentionToken(members[3])).map((m) => m.id), ['9']);
});

test('tokens are read back with their places, other Markdown left alone', () => {
  const body = `Merci @[Yassine Berrada](mention:12), voir [le lien](https://x.ma) et @[نادية الشرقاوي](mention:7).`;
  const found = parseMentions(body);
  assert.deepEqual(found.map((m) => [m.id, m.name]), [['12', 'Yassine Berrada'], ['7', 'نادية الشرقاوي']]);
  for (const m of found) assert.equal(body.slice(m.start, m.end), mentionToken({ id: m.id, name: m.name }));
  assert.deepEqual(parseMentions('an email a@b.ma and @[broken'), []);
});

test('the mention being typed is found before the caret', () => {
  assert.deepEqual(mentionQuery('@', 1), { start: 0, query: '' });
  assert.deepEqual(mentionQuery('Merci @Yas', 10), { start: 6, query: 'Yas' });
  assert.deepEqual(mentionQuery('شكرا @ناد', 9), { start: 5, query: 'ناد' });
  assert.deepEqual(mentionQuery('(@Élo', 5), { start: 1, query: 'Élo' });
  assert.deepEqual(mentionQuery('@Yassine Ber', 12), { start: 0, query: 'Yassine Ber' });
  assert.equal(mentionQuery('mail a@b.ma', 11), null, 'an e-mail address');
  assert.equal(mentionQuery('@Yas\nsine', 9), null, 'across a line');
  assert.equal(mentionQuery('@ Yas', 5), null);
  assert.equal(mentionQuery('@[Yassine](mention:12) ok', 25), null, 'a finished token');
  assert.equal(mentionQuery('no mention', 10), null);
});

test('matching ignores case, accents, Arabic vowels and letter variants; names first', () => {
  assert.equal(fold('Élodie'), 'elodie');
  assert.equal(fold('نَادِيَة'), fold('نادية'));
  assert.equal(fold('أحمد'), fold('احمد'));
  assert.deepEqual(matchMembers(members, 'elo').map((m) => m.id), [3]);
  assert.deepEqual(matchMembers(members, 'نَاد').map((m) => m.id), [7]);
  assert.deepEqual(matchMembers(members, 'berr').map((m) => m.id), [12], 'a later word of the name');
  assert.deepEqual(matchMembers(members, 'ocde').map((m) => m.id), [3], 'the organisation');
  assert.deepEqual(matchMembers(members, 'Yassine Be').map((m) => m.id), [12]);
  assert.equal(matchMembers(members, '').length, 4);
  assert.equal(matchMembers(members, '', 2).length, 2);
  assert.deepEqual(matchMembers(members, 'zz'), []);
});

test('inserting replaces what was typed with the token and one space', () => {
  const text = 'Merci @Yas pour ça';
  const q = mentionQuery(text, 10);
  const out = insertMention(text, { start: q.start, caret: 10 }, members[1]);
  assert.equal(out.text, 'Merci @[Yassine Berrada](mention:12) pour ça');
  assert.equal(out.text.slice(0, out.caret), 'Merci @[Yassine Berrada](mention:12) ');
  const end = insertMention('@ناد', { start: 0, caret: 4 }, members[0]);
  assert.equal(end.text, '@[نادية الشرقاوي](mention:7) ');
});
