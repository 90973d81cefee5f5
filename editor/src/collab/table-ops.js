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

/**
 * Row deletions that can be taken back. Each deletion made through `delete` is recorded by a
 * Y.UndoManager that watches this array and tracks only these deletions (not typing, not
 * moves, not anyone else's changes); `restore` undoes the latest one as a Yjs operation, sent
 * and seen by everyone like any edit. Yjs brings the deleted row back itself: the same Y.Map
 * keys (its id among them) and cell contents, between the same neighbours if they are still
 * there (so at its place even when others added or removed rows meanwhile). The manager keeps
 * the deleted content from being garbage-collected while it can still be restored.
 */
export class RowDeletions {
  constructor(yarray) {
    this.rows = yarray;
    this.origin = Object.freeze({ rowDeletions: true });
    this.manager = new Y.UndoManager(yarray, { trackedOrigins: new Set([this.origin]), captureTimeout: 0 });
    /** @type {Array<{id: string}>} the deleted rows' ids, latest last */
    this.deleted = [];
  }

  /** Delete the row at `index`, remembering it. @returns {string} its id */
  delete(index) {
    const row = this.rows.get(index);
    const id = String(row?.get?.('id') ?? '');
    deleteRow(this.rows, index, this.origin);
    this.deleted.push({ id });
    return id;
  }

  get size() {
    return this.deleted.length;
  }

  /**
   * Bring back the latest deleted row.
   * @returns {number} its index now, or -1 when there was nothing to restore
   */
  restore() {
    const last = this.deleted.pop();
    if (!last || !this.manager.undo()) return -1;
    return this.rows.toArray().findIndex((row) => row?.get?.('id') === last.id);
  }

  /** Forget every deletion: they can no longer be restored. */
  clear() {
    this.deleted = [];
    this.manager.clear();
  }

  destroy() {
    this.manager.destroy();
  }
}
