/**
 * One card's live document over a shared Transport: joins the card's room, syncs with
 * y-protocols, forwards local updates (each acknowledged once durable), relays presence.
 *
 * Events:
 * - `synced` (): the first sync step 2 after each (re)join arrived; the document is current.
 * - `status` (status): anything the saving indicator shows changed (see `status`).
 * - `permissions` ({canEdit, canComment, role, roles, reason, removed}): the server's view of what this
 *   user may do, from the join answer or, live, from a `standing` room event (`reason`: the
 *   policy's key when editing stopped; `roles`: every role held, strongest first;
 *   `removed`: the user may no longer open the card).
 * - `card` ({status}): the card itself changed, for everyone on it.
 *
 * The local awareness state's `user.color` is set to the colour the join answer gives.
 * - `review` ({kind, thread}): a comment thread of the card changed (created, commented,
 *   resolved…); threads live in the database, not in the document (src/review/).
 * - `stranded` (updates, forget): this browser holds edits an earlier page of this person left
 *   unsent (collab/unsent.js), but the server says they may not edit: they are not applied nor
 *   sent; the page may offer their text to copy, and `forget()` drops them from the browser.
 *
 * With a `store`, every local update is also kept in the browser until acknowledged, and what
 * earlier pages left unsent is applied (and so sent) once the card is synced and editable.
 */
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import { ObservableV2 } from 'lib0/observable';
import {
  MESSAGE_AWARENESS, MESSAGE_QUERY_AWARENESS, MESSAGE_SYNC, SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE,
  awarenessFrame, readSync, syncStep1, syncStep2Frame, updateFrame,
} from './frames.js';
import { Outstanding } from './outstanding.js';
import { THREAD_EVENTS } from '../review/threads.js';

// The server refuses frames over 1 MiB; batches of queued offline work stay well below.
const MAX_BATCH_BYTES = 512 * 1024;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 15000;
// Errors after which sending the same bytes again cannot succeed.
const FATAL = new Set(['malformed', 'unknown_type', 'invalid_update', 'too_large', 'bad_request']);

// The origin of re-applied unsent edits: a local change like typing (not this provider's own).
export const RESTORED = Symbol('restored unsent edits');

/**
 * Whether `update` integrates fully into `doc`: nothing in it waits for structure the document
 * lacks. Tried on a copy, so that a record made against another document (a reset database
 * behind the same address) changes nothing here.
 */
export function fits(doc, update) {
  const probe = new Y.Doc({ gc: false });
  Y.applyUpdate(probe, Y.encodeStateAsUpdate(doc));
  Y.applyUpdate(probe, update);
  const ok = probe.store.pendingStructs === null && probe.store.pendingDs === null;
  probe.destroy();
  return ok;
}

export class CardProvider extends ObservableV2 {
  /**
   * @param {object} options
   * @param {import('./transport.js').Transport} options.transport
   * @param {string|number} options.cardId
   * @param {Y.Doc} options.doc
   * @param {awarenessProtocol.Awareness} options.awareness
   * @param {boolean} options.canEdit what the page was told; the join answer decides
   * @param {number} [options.ackTimeout] ms before an unacknowledged frame is sent again
   * @param {import('./unsent.js').UnsentStore} [options.store] where unacknowledged updates survive a reload
   */
  constructor({ transport, cardId, doc, awareness, canEdit, ackTimeout = 10000, store = null }) {
    super();
    this.transport = transport;
    this.cardId = Number(cardId); // on the wire, as in the join payload
    this.doc = doc;
    this.awareness = awareness;
    this.canEdit = canEdit;
    this.ackTimeout = ackTimeout;
    this.joined = false;
    this.synced = false;
    this.error = null; // {code, message} of a refusal that retrying will not fix
    this.outstanding = new Outstanding();
    /** @type {Set<number>} sequence numbers sent and not yet answered */
    this.inFlight = new Set();
    this.retryDelay = RETRY_MIN_MS;
    this.retryTimer = null;
    this.destroyed = false;
    this.store = store;
    // What earlier pages left unsent, read at once so that it is ready by the first sync.
    this.leftover = store ? store.load() : Promise.resolve([]);
    this.restore = 'waiting'; // → 'running' → 'done' (once per page), or 'stranded' (read-only)
    // How many of those wait in the browser, not yet applied (the indicator counts them as
    // unsaved while the server is out of reach; leaving the page does not lose them).
    this.kept = 0;
    this.leftover.then((records) => {
      if (this.restore === 'waiting' && records.length && !this.destroyed) {
        this.kept = records.length;
        this._status();
      }
    });

    /** Incoming frames by y-protocols message type. */
    this.handlers = {
      [MESSAGE_SYNC]: (decoder) => this._handleSync(decoder),
      [MESSAGE_AWARENESS]: (decoder) => {
        awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
      },
      [MESSAGE_QUERY_AWARENESS]: () => this._sendAwareness([...this.awareness.getStates().keys()]),
    };

    this._onRoom = (card, event) => {
      if (Number(card) !== this.cardId) return;
      if (event.kind === 'standing') this._standing(event);
      else if (event.kind === 'card') this.emit('card', [event]);
      else if (event.kind === 'approval') this.emit('approval', [event]);
      else if (THREAD_EVENTS.has(event.kind)) this.emit('review', [event]);
    };
    this._onConnect = () => this._join();
    this._onAttempt = () => this._status();
    this._onDisconnect = () => {
      this.joined = false;
      this.synced = false;
      this.inFlight.clear();
      this._clearRetry();
      // Others' presence is stale until we hear from the room again.
      const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
      awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
      this._status();
    };
    this._onDocUpdate = (update, origin) => {
      if (origin === this) return;
      const seq = this.outstanding.add(update);
      // Kept in the browser only what this person may send: a read-only page stores nothing.
      if (this.canEdit) this.store?.put(seq, update);
      if (this.joined && this.canEdit) this._sendBatch([seq], updateFrame(update));
      this._status();
    };
    this._onAwarenessUpdate = ({ added, updated, removed }, origin) => {
      if (origin === this) return;
      this._sendAwareness([...added, ...updated, ...removed]);
    };

    transport.subscribe(this.cardId, (frame) => this._receive(frame));
    transport.on('connect', this._onConnect);
    transport.on('disconnect', this._onDisconnect);
    transport.on('attempt', this._onAttempt);
    transport.on('room', this._onRoom);
    doc.on('update', this._onDocUpdate);
    awareness.on('update', this._onAwarenessUpdate);
    if (transport.connected) this._join();
  }

  /** What the saving indicator needs to know. */
  get status() {
    return {
      connected: this.transport.connected,
      // Before the page's first connection (transport.js): "connecting", not "offline".
      firstConnecting: this.transport.firstConnecting === true,
      joined: this.joined,
      synced: this.synced,
      pending: this.outstanding.size,
      kept: this.kept,
      canEdit: this.canEdit,
      error: this.error,
    };
  }

  async _join() {
    let answer;
    try {
      answer = await this.transport.request('join', [{ card: this.cardId }], this.ackTimeout);
    } catch {
      if (this.transport.connected && !this.destroyed) this._scheduleRetry(() => this._join());
      return;
    }
    if (this.destroyed || !this.transport.connected) return;
    if (!answer || answer.ok !== true) {
      this.error = { code: answer?.error || 'error', message: answer?.message || '' };
      if (answer?.error === 'no_access' && this.canEdit !== false) {
        // Taken off the card while away (a role removed): the page must say so, as the
        // `standing` event it missed would have.
        this.canEdit = false;
        this.emit('permissions', [{
          canEdit: false, canComment: false, role: null, roles: [], reason: 'policy.no_role', removed: true,
        }]);
      }
      this._status();
      return;
    }
    this.joined = true;
    this.error = null;
    this.retryDelay = RETRY_MIN_MS;
    const canEdit = answer.can_edit === true;
    if (canEdit !== this.canEdit || answer.role) {
      this.canEdit = canEdit;
      this.emit('permissions', [{
        canEdit, canComment: answer.can_comment === true, role: answer.role, roles: answer.roles ?? null,
        reason: answer.reason ?? null, removed: false,
      }]);
    }
    this._wear(answer.color);
    this.transport.send('yjs', this.cardId, syncStep1(this.doc));
    if (this.awareness.getLocalState() !== null) this._sendAwareness([this.doc.clientID]);
    this._flush();
    this._restore();
    this._status();
  }

  /**
   * Apply what earlier pages of this person left unsent on this card, once: after the first
   * sync (so that only what the server lacks becomes a local change: Yjs skips what the
   * document already holds) and only when the server lets this connection edit. Applied as a
   * local change, it is queued, kept and sent like typing; the earlier records are forgotten
   * only after that (the store runs in order), so a crash in between loses nothing.
   */
  async _restore() {
    if (this.restore === 'running' || this.restore === 'done' || !this.store) return;
    if (!this.joined || !this.synced) return;
    if (!this.canEdit || this.error) {
      if (this.restore === 'waiting') {
        this.restore = 'stranded';
        const records = await this.leftover;
        this.kept = 0;
        if (records.length && !this.destroyed && !this.canEdit) {
          const forget = () => this.store.forget(records.map((r) => r.key));
          this.emit('stranded', [records.map((r) => r.update), forget]);
        }
      }
      return;
    }
    this.restore = 'running';
    const records = await this.leftover;
    if (this.destroyed) return;
    if (!this.joined || !this.canEdit || this.error) {
      this.restore = 'waiting';
      return;
    }
    this.restore = 'done';
    this.kept = 0;
    if (records.length === 0) return;
    const update = records.length === 1 ? records[0].update : Y.mergeUpdates(records.map((r) => r.update));
    if (!fits(this.doc, update)) return; // not this document's: keep it, apply nothing
    Y.applyUpdate(this.doc, update, RESTORED);
    this.store.forget(records.map((r) => r.key));
  }

  /**
   * Others see this person in the colour the server chose, distinct among those present on the
   * card (the server rewrites the `user` of every state it relays); this page shows it too.
   */
  _wear(colour) {
    const local = this.awareness.getLocalState();
    if (!local?.user || typeof colour !== 'string' || !/^#[0-9a-f]{6}$/i.test(colour)) return;
    if (local.user.color !== colour) this.awareness.setLocalStateField('user', { ...local.user, color: colour });
  }

  /** The server changed what we may do on this card (a role, the card's status). */
  _standing(event) {
    const canEdit = event.joined === true && event.can_edit === true;
    const removed = event.joined !== true;
    if (removed) {
      this.joined = false;
      this.error = { code: 'no_access', message: '' };
    } else if (!canEdit) {
      this.error = { code: 'read_only', message: '' };
    } else {
      this.error = null;
    }
    this.canEdit = canEdit;
    this.emit('permissions', [{
      canEdit, canComment: event.can_comment === true, role: event.role ?? null, roles: event.roles ?? null,
      reason: event.reason ?? null, removed,
    }]);
    if (canEdit) {
      this._flush();
      this._restore();
    }
    this._status();
  }

  _receive(frame) {
    const decoder = decoding.createDecoder(frame);
    const type = decoding.readVarUint(decoder);
    const handler = this.handlers[type];
    if (handler) handler(decoder);
  }

  _handleSync(decoder) {
    const { syncType, payload } = readSync(decoder);
    if (syncType === SYNC_STEP1) {
      // The server asks for what it lacks: everything it lacks is our unsaved work.
      this._flush(syncStep2Frame);
    } else if (syncType === SYNC_STEP2 || syncType === SYNC_UPDATE) {
      Y.applyUpdate(this.doc, payload, this);
      if (syncType === SYNC_STEP2 && !this.synced) {
        this.synced = true;
        this.emit('synced', []);
        this._restore();
        this._status();
      }
    }
  }

  /** Send every waiting local change not already on its way, in batches under the size limit. */
  _flush(frameOf = updateFrame) {
    if (!this.joined || !this.canEdit || this.error) return;
    let seqs = [];
    let parts = [];
    let size = 0;
    const send = () => {
      if (seqs.length === 0) return;
      const update = parts.length === 1 ? parts[0] : Y.mergeUpdates(parts);
      this._sendBatch(seqs, frameOf(update));
      seqs = [];
      parts = [];
      size = 0;
    };
    for (const [seq, update] of this.outstanding.updates) {
      if (this.inFlight.has(seq)) continue;
      if (size + update.length > MAX_BATCH_BYTES) send();
      seqs.push(seq);
      parts.push(update);
      size += update.length;
    }
    send();
  }

  async _sendBatch(seqs, frame) {
    for (const seq of seqs) this.inFlight.add(seq);
    let answer = null;
    try {
      answer = await this.transport.request('yjs', [this.cardId, frame], this.ackTimeout);
    } catch {
      answer = null; // no answer in time: keep the changes and send them again
    }
    if (this.destroyed) return;
    for (const seq of seqs) this.inFlight.delete(seq);
    if (answer && answer.ok === true) {
      this.outstanding.settle(seqs);
      this.store?.settle(seqs);
      this.retryDelay = RETRY_MIN_MS;
    } else {
      // Refused for good (the bytes can never be accepted): not worth keeping past this page,
      // which still shows them and offers them to copy.
      if (FATAL.has(answer?.error)) this.store?.settle(seqs);
      this._refused(answer);
    }
    this._status();
  }

  _refused(answer) {
    const code = answer?.error;
    if (code === 'read_only') {
      this.canEdit = false;
      this.error = { code, message: answer.message || '' };
      this.emit('permissions', [{ canEdit: false, canComment: false, role: null }]);
    } else if (FATAL.has(code)) {
      this.error = { code, message: answer.message || '' };
    } else if (code === 'not_joined') {
      this.joined = false;
      this._scheduleRetry(() => this._join());
    } else if (this.transport.connected) {
      // `unavailable` (the server could not store it yet) or a lost acknowledgement.
      this._scheduleRetry(() => this._flush());
    }
  }

  _scheduleRetry(fn) {
    if (this.retryTimer !== null) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.destroyed) fn();
    }, delay * (0.75 + Math.random() / 2));
  }

  _clearRetry() {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  _sendAwareness(clients) {
    if (!this.joined || clients.length === 0) return;
    this.transport.send('yjs', this.cardId, awarenessFrame(this.awareness, clients));
  }

  _status() {
    if (!this.destroyed) this.emit('status', [this.status]);
  }

  /** Leave the card: tell the room we are gone, drop every listener and timer. */
  destroy() {
    if (this.destroyed) return;
    this._clearRetry();
    if (this.joined) {
      awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], this);
      this._sendAwareness([this.doc.clientID]);
      this.transport.send('leave', { card: this.cardId });
    }
    this.destroyed = true;
    this.joined = false;
    this.transport.off('connect', this._onConnect);
    this.transport.off('disconnect', this._onDisconnect);
    this.transport.off('attempt', this._onAttempt);
    this.transport.off('room', this._onRoom);
    this.transport.unsubscribe(this.cardId);
    this.doc.off('update', this._onDocUpdate);
    this.awareness.off('update', this._onAwarenessUpdate);
    this.store?.close();
    super.destroy();
  }
}
