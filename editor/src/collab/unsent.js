/**
 * Unsent edits kept in the browser (IndexedDB), so that a reload, a closed tab or a crash while
 * the server is out of reach loses nothing. What is kept is exactly what the provider holds in
 * `Outstanding`: this person's own Yjs updates that the server has not acknowledged yet, one
 * record per update, deleted when its `{ok: true}` arrives. Nothing else of the card is stored.
 *
 * Why not y-indexeddb: it persists the whole document (everyone's changes as they arrive,
 * compacted now and then) and knows nothing of acknowledgements. Stored would then mean "the
 * card as last seen", not "not yet saved": every card a person opened, viewers included, would
 * stay readable in the browser of a shared office computer; clearing it "once acknowledged" would
 * mean deleting and rewriting the whole card; and on the next load its full copy would come
 * back as local changes, to be sent again whole (refused from a read-only page). Keeping the
 * unacknowledged updates themselves is a few lines and says exactly what is unsaved.
 *
 * Records are keyed `[userId, cardId, tab, seq]`: `tab` is random per page load, so two tabs on
 * one card never overwrite each other, and the page only ever reads its own user's records for
 * its card (a shared computer never shows one person's unsaved text to the next). They are
 * forgotten when acknowledged, when the person signs out, and when someone else signs in on
 * this browser (src/local-drafts.js).
 *
 * Re-applying a record is safe whatever happened meanwhile: Yjs identifies every insertion by
 * (client, clock), so an update the server already holds changes nothing, and a deletion made
 * by someone else since stays a deletion (old insertions cannot undelete anything). A record
 * that does not fit the card's document (a database reset behind the same address) is left
 * alone, never applied.
 */

export const DB_NAME = 'iltizam-unsent';
export const STORE = 'updates';
const VERSION = 1;

/** A random id for one page load. */
export function newTabId() {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Open (creating when new) the database of unsent edits; null when this browser has none to
 * give (IndexedDB missing or refused, as in some private windows): the editor then works as
 * before, without surviving a reload.
 * @returns {Promise<IDBDatabase|null>}
 */
export function openDb(idb = globalThis.indexedDB) {
  if (!idb) return Promise.resolve(null);
  return new Promise((resolve) => {
    let req;
    try {
      req = idb.open(DB_NAME, VERSION);
    } catch {
      resolve(null);
      return;
    }
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    req.onsuccess = () => {
      const db = req.result;
      // Signing out deletes the database (or the browser clears it): let it.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () => resolve(null);
    req.onblocked = () => resolve(null);
  });
}

/** Run `fn(store)` in one transaction; resolves with what `fn` returned (a request's result) once committed. */
function inTransaction(db, mode, fn) {
  return new Promise((resolve) => {
    let tx;
    let out;
    try {
      tx = db.transaction(STORE, mode);
      out = fn(tx.objectStore(STORE));
    } catch {
      resolve(null); // e.g. the connection was closed by a sign-out in another tab
      return;
    }
    tx.oncomplete = () => resolve(typeof out === 'function' ? out() : out);
    tx.onerror = () => resolve(null);
    tx.onabort = () => resolve(null);
  });
}

/** Every key of one user, and of one card when given: `[user]` … `[user, []]` (arrays sort after numbers). */
function range(userId, cardId) {
  const prefix = cardId === undefined ? [userId] : [userId, cardId];
  return globalThis.IDBKeyRange.bound(prefix, [...prefix, []]);
}

export class UnsentStore {
  /**
   * @param {object} options
   * @param {number} options.userId
   * @param {number} options.cardId
   * @param {IDBFactory} [options.indexedDB]
   * @param {string} [options.tab] this page load's id
   */
  constructor({ userId, cardId, indexedDB = globalThis.indexedDB, tab = newTabId() }) {
    this.userId = Number(userId);
    this.cardId = Number(cardId);
    this.tab = tab;
    // Without a known user nothing is stored: it could not be kept apart from the next person's.
    this.ready = this.userId > 0 ? openDb(indexedDB) : Promise.resolve(null);
  }

  /**
   * Operations run in the order they were asked: each transaction is created in a reaction to
   * the same promise, in registration order, and IndexedDB runs read-write transactions on one
   * store in the order they were created. So a record's deletion never overtakes its writing.
   */
  _run(mode, fn) {
    return this.ready.then((db) => (db ? inTransaction(db, mode, fn) : null));
  }

  _key(seq, tab = this.tab) {
    return [this.userId, this.cardId, tab, seq];
  }

  /** Keep one local update, under its `Outstanding` sequence number. */
  put(seq, update) {
    return this._run('readwrite', (store) => { store.put(update, this._key(seq)); });
  }

  /** The server made these durable: forget them. */
  settle(seqs) {
    if (seqs.length === 0) return Promise.resolve(null);
    return this._run('readwrite', (store) => { for (const seq of seqs) store.delete(this._key(seq)); });
  }

  /**
   * What earlier pages (or other tabs) of this user left unsent on this card.
   * @returns {Promise<Array<{key: any[], update: Uint8Array}>>}
   */
  load() {
    return this._run('readonly', (store) => {
      const keys = store.getAllKeys(range(this.userId, this.cardId));
      const values = store.getAll(range(this.userId, this.cardId));
      return () => keys.result
        .map((key, i) => ({ key, update: values.result[i] }))
        .filter(({ key, update }) => key[2] !== this.tab && update instanceof Uint8Array);
    }).then((records) => records || []);
  }

  /** Forget records by key (those `load` returned, once their content is safe elsewhere). */
  forget(keys) {
    if (keys.length === 0) return Promise.resolve(null);
    return this._run('readwrite', (store) => { for (const key of keys) store.delete(key); });
  }

  close() {
    return this.ready.then((db) => db?.close());
  }
}

/**
 * Forget what other people left in this browser: every record whose user is not `userId`
 * (the person now signed in). Their unsent text is theirs; it must not wait for the next
 * person in a shared office.
 */
export async function forgetOthers(userId, idb = globalThis.indexedDB) {
  const db = await openDb(idb);
  if (!db) return;
  const id = Number(userId);
  await inTransaction(db, 'readwrite', (store) => {
    store.delete(globalThis.IDBKeyRange.upperBound([id], true));
    store.delete(globalThis.IDBKeyRange.lowerBound([id, []], true));
  });
  db.close();
}

/** Forget every unsent edit kept in this browser (signing out). */
export function forgetAll(idb = globalThis.indexedDB) {
  if (!idb) return Promise.resolve();
  return new Promise((resolve) => {
    try {
      const req = idb.deleteDatabase(DB_NAME);
      req.onsuccess = req.onerror = req.onblocked = () => resolve();
    } catch {
      resolve();
    }
  });
}

/** Whether this browser holds the database at all (so that a page need not create it to find it empty). */
export async function exists(idb = globalThis.indexedDB) {
  if (!idb) return false;
  if (typeof idb.databases !== 'function') return true;
  try {
    return (await idb.databases()).some((info) => info.name === DB_NAME);
  } catch {
    return true;
  }
}
