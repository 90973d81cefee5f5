/**
 * Who is on the card: a list of everyone connected (name, organisation, colour, the field
 * they are in), a marker on each field showing who is in it, and this page's own `field`
 * in the awareness state as focus moves through the form.
 */
import { h } from './dom.js';

const COLOUR = /^#[0-9a-f]{6}$/i;

function organisationOf(user, lang) {
  if (lang === 'ar' && user.organisation_ar) return user.organisation_ar;
  return user.organisation || user.organisation_ar || '';
}

/**
 * One entry per person: several tabs of the same account (same server user id) count once,
 * and this page's other tabs count as "you".
 */
function people(awareness, doc, selfId) {
  const byPerson = new Map();
  for (const [clientId, state] of awareness.getStates()) {
    if (!state || !state.user) continue;
    const self = clientId === doc.clientID || (selfId != null && state.user.id === selfId);
    const key = self ? 'self' : state.user.id ?? `client-${clientId}`;
    const entry = byPerson.get(key) ?? { self, user: state.user, field: null };
    // Another tab's entry carries the server's record (colour included); this page's own is a guess.
    if (clientId !== doc.clientID) entry.user = state.user;
    entry.field = entry.field || state.field || null;
    byPerson.set(key, entry);
  }
  return [...byPerson.values()];
}

export function presence({ awareness, doc, form, t, lang, list, selfId = null }) {
  const render = () => {
    const everyone = people(awareness, doc, selfId);
    everyone.sort((a, b) => (b.self - a.self) || String(a.user.name).localeCompare(String(b.user.name)));
    list.replaceChildren(...everyone.map(({ self, user, field }) => {
      const colour = COLOUR.test(user.color || '') ? user.color : '#5b6775';
      const where = field && form.shells.get(field) ? t('editor.presence_in', { field: t.pick(form.shells.get(field).field.label) }) : '';
      return h('li', { class: self ? 'self' : null },
        h('span', { class: 'swatch', style: `background-color: ${colour}`, 'aria-hidden': 'true' }),
        h('bdi', { class: 'who-name', translate: 'no' }, user.name || '?'),
        self ? h('span', { class: 'muted' }, ` (${t('editor.you')})`) : null,
        organisationOf(user, lang) ? h('span', { class: 'muted who-org' }, ' · ', h('bdi', {}, organisationOf(user, lang))) : null,
        where ? h('span', { class: 'who-field' }, ' — ', where) : null);
    }));
    for (const [fieldId, shell] of form.shells) {
      const here = everyone.filter((p) => !p.self && p.field === fieldId);
      shell.presence.replaceChildren(...here.map(({ user }) => {
        const colour = COLOUR.test(user.color || '') ? user.color : '#5b6775';
        return h('li', { style: `border-color: ${colour}` }, h('bdi', { translate: 'no' }, user.name || '?'));
      }));
      shell.element.classList.toggle('has-others', here.length > 0);
    }
  };

  const fieldOf = (node) => node?.closest?.('[data-field]')?.dataset.field ?? null;
  const onFocusIn = (event) => {
    const field = fieldOf(event.target);
    if ((awareness.getLocalState()?.field ?? null) !== field) awareness.setLocalStateField('field', field);
  };
  const onFocusOut = (event) => {
    if (fieldOf(event.relatedTarget) === null && form.element.contains(event.target)) {
      if (awareness.getLocalState()?.field != null) awareness.setLocalStateField('field', null);
    }
  };
  form.element.addEventListener('focusin', onFocusIn);
  form.element.addEventListener('focusout', onFocusOut);
  awareness.on('change', render);
  render();
  return {
    destroy() {
      form.element.removeEventListener('focusin', onFocusIn);
      form.element.removeEventListener('focusout', onFocusOut);
      awareness.off('change', render);
    },
  };
}
