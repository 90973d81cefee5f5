/**
 * The card's comment threads on this page: loaded from the API, changed by this person's
 * actions (each answer is the thread as the server now has it) and by everyone else's, through
 * the room events of the card's live connection. Emits `change` after each.
 */
import { ObservableV2 } from 'lib0/observable';
import { THREAD_EVENTS, upsertThread, withRights } from './threads.js';

export class ReviewStore extends ObservableV2 {
  /**
   * @param {object} options
   * @param {ReturnType<import('./api.js').reviewApi>} options.api
   * @param {boolean} options.canComment what the page was told; `setCanComment` follows changes
   * @param {number|null} options.selfId this person's user id, to tell their own comments
   */
  constructor({ api, canComment, selfId }) {
    super();
    this.api = api;
    this.canComment = canComment;
    this.selfId = selfId;
    /** @type {object[]} */
    this.threads = [];
    this.loaded = false;
    this.members = null;
    this.loading = null;
  }

  _rights(thread, fromServer) {
    // An answer to this page carries `can`; a room event, sent to everyone, does not.
    return withRights(thread, {
      canComment: this.canComment, selfId: this.selfId, can: fromServer && thread.can ? thread.can : null,
    });
  }

  _changed() {
    this.emit('change', [this.threads]);
  }

  /** (Re)load every thread: on opening the card and after each reconnection. */
  load() {
    if (this.loading) return this.loading;
    this.loading = this.api.threads().then((threads) => {
      this.threads = threads.map((t) => this._rights(t, true));
      this.loaded = true;
      this._changed();
      return this.threads;
    }).finally(() => { this.loading = null; });
    return this.loading;
  }

  /** A room event; returns whether it was about threads. */
  receive(event) {
    if (!event || !THREAD_EVENTS.has(event.kind) || !event.thread || event.thread.id == null) return false;
    this._upsert(event.thread, false);
    return true;
  }

  _upsert(thread, fromServer) {
    const seen = this._rights(fromServer ? thread : { ...thread, can: null }, fromServer);
    this.threads = upsertThread(this.threads, seen);
    this._changed();
    return seen;
  }

  get(id) {
    return this.threads.find((t) => t.id === id) ?? null;
  }

  setCanComment(canComment) {
    if (canComment === this.canComment) return;
    this.canComment = canComment;
    // Rights the server sent were for the old standing; the page's own rule holds until reload.
    this.threads = this.threads.map((t) => withRights({ ...t, can: null }, { canComment, selfId: this.selfId }));
    this._changed();
  }

  /** The card's members for mentions, asked once. */
  async mentionable() {
    if (!this.members) this.members = this.api.mentionable().catch((error) => {
      this.members = null;
      throw error;
    });
    return this.members;
  }

  async create(payload) { return this._upsert(await this.api.create(payload), true); }

  async reply(threadId, body) { return this._upsert(await this.api.reply(threadId, body), true); }

  async edit(commentId, body) { return this._upsert(await this.api.edit(commentId, body), true); }

  async remove(commentId) { return this._upsert(await this.api.remove(commentId), true); }

  async resolve(threadId) { return this._upsert(await this.api.resolve(threadId), true); }

  async reopen(threadId) { return this._upsert(await this.api.reopen(threadId), true); }
}
