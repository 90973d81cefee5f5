/**
 * Row operations on a table field: a root Y.Array of Y.Map rows, each with a stable "id",
 * text cells as Y.Text and other cells as plain strings (server/content/layout.py).
 *
 * The server seeds every table's first rows; the client only creates a row's structure when
 * someone adds one. Each operation is one transaction, so others never see half a row.
 *
 * Limitation of moving: Yjs has no move for array items, so a move deletes the row and
 * inserts a new Y.Map carrying the same id and a copy of its cells. Text typed into that row
 * by someone else at the very moment of the move (before the move reaches them) lands in the
 * deleted copy and is lost, and two people moving the same row at once leave two rows with
 * the same id. Both are rare in practice and visible (the row is there to fix by hand).
 */
import * as Y from 'yjs';

/** A fresh random row id: 12 hexadecimal characters, like the server's. */
export function newRowId() {
  const bytes = new Uint8Array(6);
  globalThis.crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A new, not yet inserted row for `columns`.
 * @param {Array<{id: string, type: string}>} columns
 * @returns {Y.Map<any>}
 */
export function emptyRow(columns, id = newRowId()) {
  const row = new Y.Map();
  row.set('id', id);
  for (const col of columns) row.set(col.id, col.type === 'text' ? new Y.Text() : '');
  return row;
}

/**
 * Add an empty row at `index` (default: at the end).
 * @returns {string} the new row's id
 */
export function addRow(yarray, columns, index = yarray.length, origin = null) {
  const id = newRowId();
  const row = emptyRow(columns, id);
  yarray.doc.transact(() => yarray.insert(Math.min(index, yarray.length), [row]), origin);
  return id;
}

/** Delete the row at `index`. */
export function deleteRow(yarray, index, origin = null) {
  if (index < 0 || index >= yarray.length) throw new RangeError(`No row at index ${index}`);
  yarray.doc.transact(() => yarray.delete(index, 1), origin);
}

/** A detached copy of a row: same id, same cells, new shared types. */
export function copyRow(row) {
  const copy = new Y.Map();
  for (const [key, value] of row.entries()) {
    if (value instanceof Y.Text) copy.set(key, new Y.Text(value.toString()));
    else if (value instanceof Y.AbstractType) copy.set(key, value.clone());
    else copy.set(key, value);
  }
  return copy;
}

/**
 * Move the row at `from` so that it ends up at index `to`.
 * @returns {boolean} whether anything moved
 */
export function moveRow(yarray, from, to, origin = null) {
  const length = yarray.length;
  if (from < 0 || from >= length) throw new RangeError(`No row at index ${from}`);
  const target = Math.max(0, Math.min(to, length - 1));
  if (target === from) return false;
  yarray.doc.transact(() => {
    const copy = copyRow(yarray.get(from));
    yarray.delete(from, 1);
    yarray.insert(target, [copy]);
  }, origin);
  return true;
}
