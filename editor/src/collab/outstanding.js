/**
 * Local document changes the server has not acknowledged yet.
 *
 * Each local Yjs update is kept (as opaque bytes) until an acknowledgement `{ok: true}` covers
 * it; that is what makes the "saved" indicator honest and what is sent again after a
 * reconnection. Re-sending is safe: Yjs ignores what a document already contains.
 */
import * as Y from 'yjs';

export class Outstanding {
  constructor() {
    /** @type {Map<number, Uint8Array>} */
    this.updates = new Map();
    this.seq = 0;
  }

  /** How many local changes are waiting for the server. */
  get size() {
    return this.updates.size;
  }

  /**
   * Remember one local update.
   * @param {Uint8Array} update
   * @returns {number} its sequence number
   */
  add(update) {
    this.seq += 1;
    this.updates.set(this.seq, update);
    return this.seq;
  }

  /**
   * Everything waiting, merged into one update, with the sequence numbers it covers.
   * @returns {{seqs: number[], update: Uint8Array} | null}
   */
  merged() {
    if (this.updates.size === 0) return null;
    const seqs = [...this.updates.keys()];
    const parts = [...this.updates.values()];
    return { seqs, update: parts.length === 1 ? parts[0] : Y.mergeUpdates(parts) };
  }

  /** The sequence numbers waiting now (what a full-state step 2 sent now covers). */
  pendingSeqs() {
    return [...this.updates.keys()];
  }

  /**
   * The server made these durable.
   * @param {number[]} seqs
   */
  settle(seqs) {
    for (const seq of seqs) this.updates.delete(seq);
  }
}
