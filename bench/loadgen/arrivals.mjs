// Marker arrivals in one load-generator thread: which keystrokes reached which client, and
// how long after they were typed.
//
// A client reports each range of clocks of one Yjs client that reached its document
// (applied, for probes; seen in an update it only counted, for counting clients). Ranges of
// clients that are not editors of the same card (the seed, the server's own edits), or of
// the receiver itself, are not markers. Latencies go into one of four lists:
//   probe    editors that apply everything: the figure reported as p50/p95/p99;
//   cross    the part of `probe` typed on the other server process (two-process runs);
//   others   the other editors (who count without applying, unless every client applies);
//   viewer   one viewer in `sampleEvery`.

export class Arrivals {
  /**
   * Args: shared (the `layout` views), place (`placement`), counter (0 for editor threads,
   *   1 for viewer threads: which shared counter to add arrivals to).
   */
  constructor (shared, place, counter) {
    this.shared = shared
    this.place = place
    this.counter = counter
    this.lists = { probe: [], cross: [], others: [], viewer: [] }
  }

  /**
   * Args: receiver ({index: editor number or -1, card, server, list: a key of `lists` or
   *   null}), id (Yjs client id), from, to (clock range, `to` excluded), t (arrival time).
   */
  arrived (receiver, id, from, to, t) {
    const { shared, place } = this
    const j = id - shared.base
    if (j < 0 || j >= shared.editors || j === receiver.index || place.cardOfEditor(j) !== receiver.card) return
    const row = j * shared.maxKeys
    const list = receiver.list === null ? null : this.lists[receiver.list]
    const cross = receiver.list === 'probe' && place.serverOf(j) !== receiver.server ? this.lists.cross : null
    let arrived = 0
    for (let clock = from; clock < to && clock < shared.maxKeys; clock++) {
      const sent = shared.sent[row + clock]
      if (!(sent > 0)) continue
      arrived++
      if (list) list.push(t - sent)
      if (cross) cross.push(t - sent)
    }
    if (arrived) Atomics.add(shared.counters, this.counter, arrived)
  }

  /** The lists as Float64Arrays, to post to the main thread. */
  export () {
    return Object.fromEntries(Object.entries(this.lists).map(([k, v]) => [k, Float64Array.from(v)]))
  }
}
