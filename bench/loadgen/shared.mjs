// Memory shared by every thread of the load generator.
//
// sent[editor * maxKeys + clock]: absolute time (ms) of the keystroke that made `clock` of that
//   editor's Yjs client (each keystroke inserts one character, so clock = keystroke number).
// typed[editor]: keystrokes that editor has made.
// counters[0]: marker arrivals in editors; counters[1]: in viewers (all of them, sampled or not).
// Editor i's Yjs client id is base + i, so an arrival names its keystroke without a lookup table.

/**
 * Allocate the shared buffers.
 * Args: editors (count), maxKeys (most keystrokes one editor can make in the run).
 * Returns: a structured-cloneable object to hand to workers.
 */
export function sharedState (editors, maxKeys) {
  return {
    editors,
    maxKeys,
    base: 1_000_000 + Math.floor(Math.random() * 1_000_000_000),
    sent: new SharedArrayBuffer(8 * editors * maxKeys),
    typed: new SharedArrayBuffer(4 * editors),
    counters: new SharedArrayBuffer(4 * 2)
  }
}

/**
 * Typed-array views over `sharedState`'s buffers (each thread makes its own).
 */
export function layout (shared) {
  return {
    ...shared,
    sent: new Float64Array(shared.sent),
    typed: new Int32Array(shared.typed),
    counters: new Int32Array(shared.counters)
  }
}
