/**
 * The box a comment is written in (a new thread, a reply, an edit): a textarea where `@`
 * offers the card's members as a listbox (arrows, Enter or Tab to pick, Escape to close), and
 * Submit (Ctrl+Enter) and Cancel (Escape). What is picked becomes a mention token in the
 * Markdown body; the server renders it.
 */
import { h, uid } from '../dom.js';
import { insertMention, matchMembers, mentionQuery } from './mentions.js';

/**
 * @param {object} options
 * @param {Function} options.t
 * @param {string} options.label the textarea's label
 * @param {string} options.submitLabel
 * @param {string} [options.initial] the body to start from (editing)
 * @param {() => Promise<object[]>} options.members the card's members, for mentions
 * @param {(body: string) => Promise<void>} options.onSubmit rejects with an error whose message is shown
 * @param {() => void} options.onCancel
 */
export function composer({ t, label, submitLabel, initial = '', members, onSubmit, onCancel }) {
  const inputId = uid('comment-body');
  const hintId = uid('comment-hint');
  const listId = uid('mentions');
  const textarea = h('textarea', {
    id: inputId, dir: 'auto', rows: 3, class: 'comment-input', role: 'combobox', 'aria-autocomplete': 'list',
    'aria-expanded': 'false', 'aria-controls': listId, 'aria-describedby': hintId,
    'aria-keyshortcuts': 'Control+Enter Escape',
  });
  textarea.value = initial;
  const list = h('ul', { id: listId, role: 'listbox', class: 'mention-list', 'aria-label': t('editor.review.mentions'), hidden: true });
  const error = h('p', { class: 'composer-error', role: 'alert' });
  const submit = h('button', { type: 'button', class: 'primary composer-submit', 'aria-keyshortcuts': 'Control+Enter' }, submitLabel);
  const cancel = h('button', { type: 'button', class: 'composer-cancel' }, t('editor.cancel'));
  const element = h('div', { class: 'composer' },
    h('label', { for: inputId, class: 'composer-label' }, label),
    h('div', { class: 'composer-field' }, textarea, list),
    h('p', { id: hintId, class: 'composer-hint muted' }, t('editor.review.hint')),
    error,
    h('div', { class: 'composer-actions' }, submit, cancel));

  let options = [];
  let active = -1;
  let query = null; // {start, query} of the mention being typed
  let sending = false;
  let known = null;

  const closeList = () => {
    options = [];
    active = -1;
    query = null;
    list.hidden = true;
    list.replaceChildren();
    textarea.setAttribute('aria-expanded', 'false');
    textarea.removeAttribute('aria-activedescendant');
  };
  const showActive = () => {
    [...list.children].forEach((li, i) => li.setAttribute('aria-selected', String(i === active)));
    if (active >= 0) {
      textarea.setAttribute('aria-activedescendant', list.children[active].id);
      list.children[active].scrollIntoView?.({ block: 'nearest' });
    }
  };
  const pick = (member) => {
    const out = insertMention(textarea.value, { start: query.start, caret: textarea.selectionStart }, member);
    textarea.value = out.text;
    textarea.setSelectionRange(out.caret, out.caret);
    closeList();
    textarea.focus();
  };
  const openList = async () => {
    const found = mentionQuery(textarea.value, textarea.selectionStart);
    if (!found || textarea.selectionStart !== textarea.selectionEnd) {
      closeList();
      return;
    }
    if (!known) {
      try {
        known = await members();
      } catch {
        known = null;
        closeList();
        return;
      }
    }
    // The text may have moved on while the members were asked for.
    const now = mentionQuery(textarea.value, textarea.selectionStart);
    if (!now) {
      closeList();
      return;
    }
    query = now;
    options = matchMembers(known, now.query);
    if (options.length === 0) {
      closeList();
      return;
    }
    active = 0;
    list.replaceChildren(...options.map((member) => h('li', {
      id: uid('mention'), role: 'option', class: 'mention-option', 'aria-selected': 'false',
      onmousedown: (event) => event.preventDefault(), // keep the caret in the textarea
      onclick: () => pick(member),
    }, h('bdi', { class: 'mention-name', translate: 'no' }, member.name),
    member.organisation ? h('span', { class: 'muted mention-org' }, ' · ', h('bdi', {}, member.organisation)) : null)));
    list.hidden = false;
    textarea.setAttribute('aria-expanded', 'true');
    showActive();
  };

  const send = async () => {
    if (sending) return;
    const body = textarea.value.trim();
    if (!body) {
      error.textContent = t('editor.review.empty_body');
      textarea.focus();
      return;
    }
    sending = true;
    submit.disabled = true;
    error.textContent = '';
    element.setAttribute('aria-busy', 'true');
    try {
      await onSubmit(body);
    } catch (failure) {
      error.textContent = failure?.message || t('editor.review.unreachable');
      textarea.focus();
    } finally {
      sending = false;
      submit.disabled = false;
      element.removeAttribute('aria-busy');
    }
  };

  textarea.addEventListener('input', () => { openList(); });
  textarea.addEventListener('click', () => { openList(); });
  textarea.addEventListener('blur', () => closeList());
  textarea.addEventListener('keydown', (event) => {
    const listOpen = !list.hidden && options.length > 0;
    if (listOpen && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
      event.preventDefault();
      active = (active + (event.key === 'ArrowDown' ? 1 : -1) + options.length) % options.length;
      showActive();
    } else if (listOpen && (event.key === 'Enter' || event.key === 'Tab') && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      pick(options[active]);
    } else if (listOpen && event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      closeList();
    } else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      send();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
    } else if (event.key === 'ArrowLeft' || event.key === 'ArrowRight' || event.key === 'Home' || event.key === 'End') {
      queueMicrotask(() => openList());
    }
  });
  submit.addEventListener('click', send);
  cancel.addEventListener('click', () => onCancel());

  return {
    element,
    textarea,
    focus() {
      textarea.focus();
      const end = textarea.value.length;
      textarea.setSelectionRange(end, end);
    },
  };
}
