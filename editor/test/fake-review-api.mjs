/**
 * An in-memory stand-in for the review API (the contract in src/review/api.js), for tests of
 * what the page does with it: threads, comments, resolve/reopen, rights, errors.
 */
import { ApiError } from '../src/review/api.js';

export class FakeReviewApi {
  constructor({ me, members = [], canComment = true } = {}) {
    this.me = me;
    this.members = members;
    this.canComment = canComment;
    this.byId = new Map();
    this.calls = [];
    this.nextId = 1;
    this.clock = 0;
  }

  _now() {
    this.clock += 1;
    return new Date(Date.UTC(2024, 4, 1, 10, 0, this.clock)).toISOString();
  }

  _refuse() {
    if (!this.canComment) throw new ApiError(403, 'forbidden', 'Vous ne pouvez pas commenter cette carte.');
  }

  _comment(body) {
    const id = this.nextId++;
    return { id, author: this.me, body, html: `<p>${body}</p>`, created_at: this._now(), edited_at: null, deleted: false, mine: true };
  }

  /** The thread as an answer to this person: with `can`. */
  _out(thread) {
    return structuredClone({ ...thread, can: { reply: this.canComment, resolve: this.canComment } });
  }

  /** The thread as a room event carries it: without `can`, `mine` as for someone else. */
  event(kind, id) {
    const thread = structuredClone(this.byId.get(id));
    thread.comments.forEach((c) => { c.mine = false; });
    return { kind, thread };
  }

  async threads() {
    this.calls.push(['threads']);
    return [...this.byId.values()].map((t) => this._out(t));
  }

  async mentionable() {
    this.calls.push(['mentionable']);
    return structuredClone(this.members);
  }

  async create({ field = null, row = null, column = null, body, quote = '', anchor = null }) {
    this.calls.push(['create', { field, row, column, body, quote, anchor }]);
    this._refuse();
    if (!String(body ?? '').trim()) throw new ApiError(422, 'empty', 'Le commentaire est vide.', 'body');
    const id = this.nextId++;
    const kind = field == null ? 'card' : anchor ? 'range' : 'field';
    const thread = {
      id, card_id: 1, field, row, column, kind, status: 'open', detached: false, quote, anchor,
      current_text: quote || null, start: null, end: null, created_at: this._now(), created_by: this.me,
      resolved_at: null, resolved_by: null, comments: [this._comment(body)],
    };
    this.byId.set(id, thread);
    return this._out(thread);
  }

  _thread(id) {
    const thread = this.byId.get(id);
    if (!thread) throw new ApiError(404, 'not_found', 'Fil introuvable.');
    return thread;
  }

  _byComment(commentId) {
    for (const thread of this.byId.values()) {
      const comment = thread.comments.find((c) => c.id === commentId);
      if (comment) return { thread, comment };
    }
    throw new ApiError(404, 'not_found', 'Commentaire introuvable.');
  }

  async reply(threadId, body) {
    this.calls.push(['reply', threadId, body]);
    this._refuse();
    const thread = this._thread(threadId);
    thread.comments.push(this._comment(body));
    return this._out(thread);
  }

  async edit(commentId, body) {
    this.calls.push(['edit', commentId, body]);
    const { thread, comment } = this._byComment(commentId);
    Object.assign(comment, { body, html: `<p>${body}</p>`, edited_at: this._now() });
    return this._out(thread);
  }

  async remove(commentId) {
    this.calls.push(['remove', commentId]);
    const { thread, comment } = this._byComment(commentId);
    Object.assign(comment, { body: '', html: '', deleted: true });
    return this._out(thread);
  }

  async resolve(threadId) {
    this.calls.push(['resolve', threadId]);
    this._refuse();
    const thread = this._thread(threadId);
    if (thread.status === 'resolved') throw new ApiError(409, 'already_resolved', 'Ce fil est déjà résolu.');
    Object.assign(thread, { status: 'resolved', resolved_at: this._now(), resolved_by: this.me });
    return this._out(thread);
  }

  async reopen(threadId) {
    this.calls.push(['reopen', threadId]);
    this._refuse();
    const thread = this._thread(threadId);
    Object.assign(thread, { status: 'open', resolved_at: null, resolved_by: null });
    return this._out(thread);
  }
}
