/**
 * What a new comment would be about: the text selected in a rich-text field, a text field or
 * a table text cell, or else the field holding the focus. Read-only pages too: reviewers and
 * approvers read the card without editing it and comment on it. Shows the "Comment" button by
 * a non-empty selection and opens the new-comment box on Ctrl+Alt+M.
 */
import * as Y from 'yjs';
import { TextSelection } from '@tiptap/pm/state';
import { h } from '../dom.js';
import { bindingOf } from './highlights.js';
import { richAnchor, textAnchor } from './anchors.js';
import { snapRange } from './offsets.js';
import { commentIcon } from './icon.js';

const MOD_LABEL = /Mac|iPhone|iPad/.test(globalThis.navigator?.platform ?? '') ? '⌃⌥M' : 'Ctrl+Alt+M';

/** Select `from`..`to` of a ProseMirror view and put the focus there, editable or not. */
export function selectInEditor(editor, from, to) {
  const { view } = editor;
  const size = view.state.doc.content.size;
  const a = Math.max(0, Math.min(from, size));
  const b = Math.max(a, Math.min(to, size));
  view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, a, b)).setMeta('addToHistory', false));
  view.dom.focus({ preventScroll: true });
  if (!view.editable) {
    // A read-only view does not draw its selection: draw it in the page's own selection.
    const start = view.domAtPos(a);
    const end = view.domAtPos(b);
    const range = document.createRange();
    range.setStart(start.node, start.offset);
    range.setEnd(end.node, end.offset);
    const selection = document.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  const at = view.domAtPos(a).node;
  (at.nodeType === 1 ? at : at.parentElement)?.scrollIntoView({ block: 'center' });
}

/** Select a UTF-16 range of a text input or textarea and put the focus there. */
export function selectInControl(control, start, end) {
  const range = snapRange(control.value, start, end);
  control.focus({ preventScroll: true });
  control.setSelectionRange(range.start, range.end);
  control.scrollIntoView({ block: 'center' });
}

/**
 * @param {object} o
 * @param {Y.Doc} o.doc
 * @param {object} o.form the built form (shells by field id, each with its widget)
 * @param {Function} o.t
 * @param {() => boolean} o.canComment
 * @param {(target: object) => void} o.onComment open the new-comment box for a target
 */
export function selectionWatcher({ doc, form, t, canComment, onComment }) {
  const button = h('button', {
    type: 'button', class: 'review-comment-button', hidden: true, 'aria-keyshortcuts': 'Control+Alt+M',
    title: `${t('editor.review.comment_selection')} (${MOD_LABEL})`,
  }, commentIcon(), ' ', t('editor.review.comment'));
  document.body.append(button);
  let current = null;

  const shellOf = (node) => {
    const id = node?.closest?.('[data-field]')?.dataset.field;
    return id ? form.shells.get(id) ?? null : null;
  };

  /** The Y.Text a text control edits, with the row and column when it is a table cell. */
  const textOf = (control, shell) => {
    const { field } = shell;
    if (field.type === 'text' && control.id === `input-${field.id}`) return { ytext: doc.getText(field.id), row: null, column: null };
    if (field.type === 'table' && control.dataset.col) {
      const rowId = control.closest('tr[data-row-id]')?.dataset.rowId;
      const row = doc.getArray(field.id).toArray().find((r) => r && typeof r.get === 'function' && r.get('id') === rowId);
      const cell = row?.get(control.dataset.col);
      if (cell instanceof Y.Text) {
        return { ytext: cell, row: rowId, column: control.dataset.col };
      }
    }
    return null;
  };

  /** The selection as a target, or null when nothing is selected. */
  const selected = () => {
    const active = document.activeElement;
    if (active && form.element.contains(active) && (active.tagName === 'TEXTAREA' || (active.tagName === 'INPUT' && active.type === 'text'))) {
      const shell = shellOf(active);
      const text = shell && textOf(active, shell);
      if (!text || active.selectionStart === active.selectionEnd) return null;
      const { start, end } = snapRange(active.value, active.selectionStart, active.selectionEnd);
      return {
        kind: 'range', field: shell.field, row: text.row, column: text.column,
        quote: active.value.slice(start, end),
        anchor: textAnchor(text.ytext, start, end),
        control: active,
        rect: () => active.getBoundingClientRect(),
        restore: () => selectInControl(active, start, end),
      };
    }
    const selection = document.getSelection();
    if (!selection || selection.isCollapsed || !selection.anchorNode) return null;
    const shell = shellOf(selection.anchorNode.nodeType === 1 ? selection.anchorNode : selection.anchorNode.parentElement);
    const editor = shell?.widget?.editor;
    if (!editor || !editor.view.dom.contains(selection.anchorNode) || !editor.view.dom.contains(selection.focusNode)) return null;
    const { from, to } = editor.state.selection;
    const binding = bindingOf(editor.state);
    const quote = editor.state.doc.textBetween(from, to, '\n').trim();
    if (from === to || !binding || !quote) return null;
    return {
      kind: 'range', field: shell.field, row: null, column: null, quote: editor.state.doc.textBetween(from, to, '\n'),
      anchor: richAnchor(binding.fragment, binding.mapping, from, to),
      editor,
      rect: () => {
        const end = editor.view.coordsAtPos(to, -1);
        return { top: end.top, bottom: end.bottom, left: end.left, right: end.right };
      },
      restore: () => selectInEditor(editor, from, to),
    };
  };

  /** The focused field as a whole (the cell's row and column in a table). */
  const focusedField = () => {
    const active = document.activeElement;
    const shell = active && form.element.contains(active) ? shellOf(active) : null;
    if (!shell) return null;
    const text = (active.tagName === 'TEXTAREA' || active.tagName === 'INPUT') ? textOf(active, shell) : null;
    return {
      kind: 'field', field: shell.field, row: text?.row ?? null, column: text?.column ?? null, quote: '', anchor: null,
      restore: () => active.focus(),
    };
  };

  const place = () => {
    current = canComment() ? selected() : null;
    if (!current) {
      button.hidden = true;
      return;
    }
    const rect = current.rect();
    const rtl = document.documentElement.dir === 'rtl';
    button.hidden = false;
    const width = button.offsetWidth;
    // By the end of a rich-text selection; under the start of a text control, where its text
    // begins (where the selection is inside a control cannot be read).
    const atRight = current.control ? rtl : !rtl;
    const x = atRight ? Math.min(window.innerWidth - width - 4, rect.right - width) : rect.left;
    button.style.top = `${Math.round(rect.bottom + window.scrollY + 6)}px`;
    button.style.left = `${Math.round(Math.max(4, x) + window.scrollX)}px`;
  };
  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    // After ProseMirror has read the same selection change into its state.
    setTimeout(() => {
      pending = false;
      place();
    }, 0);
  };

  const onKeyDown = (event) => {
    if (!(event.ctrlKey && event.altKey && !event.shiftKey && (event.code === 'KeyM' || event.key.toLowerCase() === 'm'))) return;
    if (!canComment()) return;
    const target = selected() ?? focusedField();
    // Nothing of the card to comment on while typing elsewhere (in a comment box, say); from
    // the page itself, the comment is on the whole card.
    const active = document.activeElement;
    if (!target && active && active !== document.body && (form.element.contains(active) || active.matches('input, textarea, select, [contenteditable="true"]'))) return;
    event.preventDefault();
    onComment(target ?? { kind: 'card', field: null, row: null, column: null, quote: '', anchor: null, restore: () => {} });
  };
  button.addEventListener('mousedown', (event) => event.preventDefault()); // keep the selection
  button.addEventListener('click', () => {
    const target = current ?? selected();
    button.hidden = true;
    if (target) onComment(target);
  });
  document.addEventListener('selectionchange', schedule);
  form.element.addEventListener('select', schedule, true);
  form.element.addEventListener('keyup', schedule);
  form.element.addEventListener('mouseup', schedule);
  window.addEventListener('resize', schedule);
  document.addEventListener('keydown', onKeyDown);
  return {
    hide() {
      button.hidden = true;
    },
    refresh: schedule,
    destroy() {
      document.removeEventListener('selectionchange', schedule);
      form.element.removeEventListener('select', schedule, true);
      form.element.removeEventListener('keyup', schedule);
      form.element.removeEventListener('mouseup', schedule);
      window.removeEventListener('resize', schedule);
      document.removeEventListener('keydown', onKeyDown);
      button.remove();
    },
  };
}
