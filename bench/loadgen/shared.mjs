// Memory shared by every thread of the load generator, and where each client sits.
//
// Editors are numbered 0 … cards × editors − 1 over all cards: editor g types into card
// floor(g / editors) and its Yjs client id is base + g, so an arrival names its keystroke
// without a lookup table. Viewers are numbered the same way, `viewers` per card.
//
// sent[g * maxKeys + clock]: absolute time (ms) of the keystroke that made `clock` of editor
//   g's Yjs client (each keystroke inserts one character, so clock = keystroke number).
// typed[g]: keystrokes editor g has made.
// counters[0]: marker arrivals in editors (probes and counting editors); counters[1]: in
//   viewers.

/**
 * Allocate the shared buffers.
 * Args: opts (the run's options: cards, editors, viewers, …), maxKeys (most keystrokes one
 *   editor can make in the run).
 * Returns: a structured-cloneable object to hand to workers.
 */
export function sharedState (opts, maxKeys) {
  const editors = opts.cards.length * opts.editors
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

/**
 * Where the clients of a run sit: which card, which server process, which editors are
 * probes (apply every update and are what latency and convergence are measured on).
 * Args: opts (the run's options).
 */
export function placement (opts) {
  const perCard = opts.editors
  const probes = Math.min(perCard, opts.probes)
  // Probes spread over the card's editors (first, last and between), so that they sit at
  // both ends of whatever order a server sends in.
  const probeSlots = new Set()
  for (let m = 0; m < probes; m++) probeSlots.add(probes === 1 ? 0 : Math.round(m * (perCard - 1) / (probes - 1)))
  return {
    perCard,
    cardOfEditor: (g) => Math.floor(g / perCard),
    cardOfViewer: (v) => Math.floor(v / opts.viewers),
    firstEditorOf: (card) => card * perCard,
    isProbe: (g) => probeSlots.has(g % perCard),
    // Editors and viewers of a card alternate between the server processes.
    serverOf: (n) => n % opts.urls.length
  }
}
