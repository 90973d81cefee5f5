/**
 * A table field: one row per Y.Map of the root Y.Array, every cell live. Rows are added,
 * deleted and moved through collab/table-ops.js; the view is reconciled with the array on
 * every change, reusing each row's elements (and so the focus inside them).
 *
 * Deleting a row asks nothing but can be undone: a bar under the table says which row went and
 * offers "Undo" (focused, so Enter brings it back), which restores the row with its content
 * at its place for everyone. The bar stays until dismissed (its ✕ or Escape); later deletions
 * stack up and are undone latest first.
 */
import { h, uid } from '../dom.js';
import { RowDeletions, addRow, moveRow } from '../collab/table-ops.js';
import { autosize, bindText } from './bind-text.js';
import { bindValue, choiceSelect } from './scalar.js';

function cellControl(col, row, t, label) {
  const value = row.get(col.id);
  if (col.type === 'text') {
    const textarea = h('textarea', { dir: 'auto', rows: 1, 'aria-label': label, dataset: { col: col.id } });
    const fit = autosize(textarea);
    if (value && typeof value.observe === 'function') return { control: textarea, binding: bindText(textarea, value, { onChange: fit }) };
    textarea.disabled = true; // a cell the server did not seed as text: shown, not editable
    return { control: textarea, binding: null, broken: true };
  }
  const attrs = { 'aria-label': label, dataset: { col: col.id } };
  const control = col.type === 'choice'
    ? choiceSelect(col.options || [], t, attrs)
    : h('input', { ...attrs, type: col.type === 'date' ? 'date' : col.type === 'month' ? 'month' : 'text', dir: 'auto' });
  return { control, binding: bindValue(control, row, col.id) };
}

class RowView {
  constructor(row, field, t, actions) {
    this.row = row;
    this.cells = [];
    this.number = h('th', { scope: 'row', class: 'row-number' });
    this.element = h('tr', { dataset: { rowId: String(row.get('id') ?? '') } }, this.number);
    for (const col of field.columns) {
      const cell = cellControl(col, row, t, t.pick(col.label));
      this.cells.push({ col, ...cell });
      this.element.append(h('td', { 'data-label': t.pick(col.label) }, cell.control));
    }
    const button = (action, text, label) => h('button', {
      type: 'button', class: `row-${action}`, 'aria-label': label, title: label,
      onclick: () => actions[action](this),
    }, text);
    this.up = button('up', '↑', '');
    this.down = button('down', '↓', '');
    this.remove = button('delete', '✕', '');
    this.element.append(h('td', { class: 'row-actions' }, this.up, this.down, this.remove));
  }

  /** Number the row and label its controls ("Activity, row 3"). */
  setIndex(index, count, t, minRows) {
    const n = index + 1;
    this.number.textContent = String(n);
    for (const { control, col } of this.cells) control.setAttribute('aria-label', t('editor.cell', { column: t.pick(col.label), n }));
    for (const [button, key] of [[this.up, 'editor.move_up'], [this.down, 'editor.move_down'], [this.remove, 'editor.delete_row']]) {
      const label = t(key, { n });
      button.setAttribute('aria-label', label);
      button.title = label;
    }
    this.bounds = { first: index === 0, last: index === count - 1, atMin: count <= minRows };
  }

  setEditable(editable) {
    for (const { control, broken, col } of this.cells) {
      // Text cells turn read-only, not disabled: their text stays selectable, to be commented on.
      if (col.type === 'text' && !broken) control.readOnly = !editable;
      else control.disabled = !editable || !!broken;
    }
    this.up.disabled = !editable || this.bounds?.first;
    this.down.disabled = !editable || this.bounds?.last;
    this.remove.disabled = !editable || this.bounds?.atMin;
  }

  destroy() {
    for (const { binding } of this.cells) binding?.destroy();
    this.element.remove();
  }
}

export function tableField(field, { doc, t, labelId, helpId }) {
  const rows = doc.getArray(field.id);
  const minRows = field.min_rows ?? 0;
  const maxRows = field.max_rows ?? Infinity;
  /** @type {Map<any, RowView>} keyed by the row's Y.Map, so a moved row gets a new view */
  const views = new Map();
  let editable = false;
  const tbody = h('tbody');
  const addButton = h('button', { type: 'button', class: 'add-row' }, '+ ', t('editor.add_row'));
  const deletions = new RowDeletions(rows);
  /** @type {number[]} the numbers the deleted rows had, latest last (as `deletions`) */
  const deletedNumbers = [];
  const undoMessageId = uid(`undo-${field.id}`);
  const undoMessage = h('span', { class: 'row-undo-message', id: undoMessageId, role: 'status' });
  const undoButton = h('button', { type: 'button', class: 'row-undo-button', 'aria-describedby': undoMessageId },
    t('editor.undo_delete'));
  const dismissButton = h('button', {
    type: 'button', class: 'row-undo-dismiss', 'aria-label': t('editor.dismiss'), title: t('editor.dismiss'),
  }, '✕');
  const undoBar = h('div', { class: 'row-undo', hidden: true }, undoMessage, undoButton, dismissButton);
  const showUndo = () => {
    const n = deletedNumbers[deletedNumbers.length - 1];
    undoBar.hidden = n === undefined;
    undoMessage.textContent = n === undefined ? '' : t('editor.row_deleted', { n });
    undoButton.disabled = !editable || rows.length >= maxRows;
    dismissButton.disabled = !editable;
  };
  const forgetDeletions = () => {
    deletions.clear();
    deletedNumbers.length = 0;
    showUndo();
  };

  const indexOf = (view) => rows.toArray().indexOf(view.row);
  const focusRow = (index, selector) => {
    const row = rows.get(Math.max(0, Math.min(index, rows.length - 1)));
    const target = row && views.get(row);
    const el = target?.element.querySelector(selector);
    if (el && !el.disabled) el.focus();
    else if (target) target.element.querySelector('textarea, input, select')?.focus();
    else addButton.focus();
  };
  const actions = {
    up: (view) => {
      const i = indexOf(view);
      if (i > 0 && moveRow(rows, i, i - 1)) focusRow(i - 1, i - 1 === 0 ? '.row-down' : '.row-up');
    },
    down: (view) => {
      const i = indexOf(view);
      if (i >= 0 && moveRow(rows, i, i + 1)) focusRow(i + 1, i + 1 === rows.length - 1 ? '.row-up' : '.row-down');
    },
    delete: (view) => {
      const i = indexOf(view);
      if (i < 0 || rows.length <= minRows) return;
      deletions.delete(i);
      deletedNumbers.push(i + 1);
      showUndo();
      undoButton.focus();
    },
  };
  undoButton.addEventListener('click', () => {
    if (!editable || rows.length >= maxRows) return;
    deletedNumbers.pop();
    const index = deletions.restore();
    showUndo();
    if (index >= 0) focusRow(index, '.row-delete');
    else if (!undoBar.hidden) undoButton.focus();
    else addButton.focus();
  });
  const dismiss = () => {
    const n = deletedNumbers[deletedNumbers.length - 1] ?? 1;
    forgetDeletions();
    focusRow(n - 1, '.row-delete');
  };
  dismissButton.addEventListener('click', dismiss);
  undoBar.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    dismiss();
  });
  addButton.addEventListener('click', () => {
    if (rows.length >= maxRows) return;
    addRow(rows, field.columns);
    focusRow(rows.length - 1, 'textarea, input, select');
  });

  const reconcile = () => {
    const current = rows.toArray().filter((row) => row && typeof row.get === 'function');
    const live = new Set(current);
    for (const [row, view] of views) {
      if (!live.has(row)) {
        view.destroy();
        views.delete(row);
      }
    }
    current.forEach((row, index) => {
      let view = views.get(row);
      if (!view) {
        view = new RowView(row, field, t, actions);
        views.set(row, view);
      }
      // Move nodes only when out of place: moving the focused row would blur it.
      const at = tbody.children[index];
      if (at !== view.element) tbody.insertBefore(view.element, at ?? null);
      view.setIndex(index, current.length, t, minRows);
      view.setEditable(editable);
    });
    addButton.disabled = !editable || current.length >= maxRows;
    showUndo();
  };
  rows.observe(reconcile);
  reconcile();

  const table = h('table', { class: 'grid editor-table', 'aria-labelledby': labelId, 'aria-describedby': helpId },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', class: 'row-number' }, h('span', { class: 'visually-hidden' }, t('editor.row_number')), '#'),
      field.columns.map((col) => h('th', { scope: 'col' }, t.pick(col.label))),
      h('th', { scope: 'col', class: 'row-actions' }, h('span', { class: 'visually-hidden' }, t('editor.row_actions'))))),
    tbody);
  return {
    element: h('div', { class: 'table-widget' }, h('div', { class: 'table-scroll' }, table), undoBar, addButton),
    setEditable(value) {
      editable = value;
      // A page turned read-only can no longer restore anything.
      if (!editable) forgetDeletions();
      reconcile();
    },
    destroy() {
      deletions.destroy();
      rows.unobserve(reconcile);
      for (const view of views.values()) view.destroy();
      views.clear();
    },
  };
}
