/**
 * The thread list as the panel shows it: ordering in document order, the three filters, live
 * upserts, and the rights the page computes itself. Pure functions of plain data, so the rules
 * are tested without a browser (editor/test/review-threads.test.mjs).
 */

export const FILTERS = ['open', 'resolved', 'detached'];

/**
 * Which filter a thread belongs to. The three are disjoint: resolved threads are "resolved"
 * whatever became of their text; an open thread whose text is gone is "detached" (it still
 * asks for an answer, but cannot be shown in the text).
 * @param {object} thread
 * @param {boolean} detached the server's `detached`, or what the live document shows now
 */
export function filterOf(thread, detached) {
  if (thread.status === 'resolved') return 'resolved';
  return detached ? 'detached' : 'open';
}

/** How many threads each filter holds, and how many are still open (detached or not). */
export function countThreads(threads, detachedOf) {
  const counts = { open: 0, resolved: 0, detached: 0, unresolved: 0 };
  for (const thread of threads) {
    counts[filterOf(thread, detachedOf(thread))] += 1;
    if (thread.status !== 'resolved') counts.unresolved += 1;
  }
  return counts;
}

const compare = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Threads in document order: comments on the whole card first, then by the field's place in
 * the template, the row's place in its table, the column's place, the position of the range
 * (comments on a whole field before the ranges in it), and last by age.
 * @param {object[]} threads
 * @param {(thread: object) => {field: number, row: number, column: number, position: number}} placeOf
 *   the numbers to sort by; the caller knows the template and the live document
 */
export function orderThreads(threads, placeOf) {
  const keyed = threads.map((thread) => ({ thread, place: placeOf(thread) }));
  keyed.sort((x, y) => compare(x.place.field, y.place.field) || compare(x.place.row, y.place.row)
    || compare(x.place.column, y.place.column) || compare(x.place.position, y.place.position)
    || compare(String(x.thread.created_at ?? ''), String(y.thread.created_at ?? ''))
    || compare(Number(x.thread.id), Number(y.thread.id)));
  return keyed.map((k) => k.thread);
}

/**
 * A thread as this page uses it. Live events carry no `can` (they go to everyone): rights come
 * from the page, where commenting allows replying and resolving. `mine` is decided here too,
 * as the same event reaches every author.
 */
export function withRights(thread, { canComment, selfId, can = null }) {
  const rights = can ?? thread.can ?? { reply: canComment, resolve: canComment };
  const comments = (thread.comments ?? []).map((comment) => ({
    ...comment,
    mine: selfId != null && comment.author ? comment.author.id === selfId : comment.mine === true,
  }));
  return { ...thread, comments, can: { reply: !!rights.reply, resolve: !!rights.resolve } };
}

/**
 * The list with `incoming` put in place of the thread with its id (or added).
 * @returns {object[]} a new array; the other threads are the same objects
 */
export function upsertThread(threads, incoming) {
  const at = threads.findIndex((t) => t.id === incoming.id);
  if (at < 0) return [...threads, incoming];
  const next = threads.slice();
  next[at] = incoming;
  return next;
}

/** Room event kinds that carry a thread to upsert. */
export const THREAD_EVENTS = new Set([
  'thread_created', 'comment_added', 'comment_edited', 'comment_deleted', 'thread_resolved', 'thread_reopened',
]);
