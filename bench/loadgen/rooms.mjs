// What the main thread does to a whole card or room, before and after the typing:
//
//   seed       a peer's room starts empty, an Iltizam card with the document it was created
//              with; so before anyone joins a peer's room, a seeding client brings it the
//              same document (the card's state, from bench_collab.py) and stays until every
//              editor has synced (neither peer keeps a document nobody is connected to).
//   lateJoin   after the typing and the drain, a fresh client applying everything joins
//              each card (on the first server process) while the editors are still there,
//              and says which markers it lacks and what the typed field holds.
import * as Y from 'yjs'
import { Client } from './client.mjs'
import { fieldContent } from './typist.mjs'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function synced (client, what) {
  const start = Date.now()
  while (!client.synced) {
    if (Date.now() - start > 60000) throw new Error(`${what} did not sync within 60 s`)
    await sleep(10)
  }
}

function holds (doc, stateVector) {
  for (const [id, clock] of stateVector) if (Y.getState(doc.store, id) < clock) return false
  return true
}

function applying (opts, card, token) {
  return new Client({ target: opts.target, where: { url: opts.urls[0], ...card, token }, applies: true, presence: null, onArrival: null })
}

/**
 * Bring each of a peer's rooms the document the Iltizam card starts with.
 * Args: opts (the run's options; opts.seed is the document as a base64 Yjs update).
 * Returns: the seeding clients, to close once the editors have synced.
 */
export async function seed (opts) {
  const update = Buffer.from(opts.seed, 'base64')
  const seeders = []
  for (const card of opts.cards) {
    const seeder = applying(opts, card, opts.token)
    Y.applyUpdate(seeder.doc, update) // before connecting: sent as the answer to the server's step 1
    await seeder.open()
    seeders.push(seeder)
    const wanted = Y.decodeStateVector(Y.encodeStateVector(seeder.doc))
    for (let attempt = 0; ; attempt++) {
      const check = applying(opts, card, opts.token)
      await check.open()
      await synced(check, 'the seed check')
      const ok = holds(check.doc, wanted)
      check.close()
      if (ok) break
      if (attempt > 100) throw new Error(`room ${card.room} did not take the seed`)
      await sleep(50)
    }
  }
  return seeders
}

/**
 * Join every card afresh and read it.
 * Args: opts, shared (the `layout` views), place (`placement`).
 * Returns: per card {missing: markers typed but absent, content: the typed field}.
 */
export async function lateJoin (opts, shared, place) {
  const joiners = opts.cards.map((card) => applying(opts, card, opts.viewerToken))
  await Promise.all(joiners.map((j) => j.open()))
  await Promise.all(joiners.map((j) => synced(j, 'the late joiner')))
  const out = joiners.map((joiner, k) => {
    let missing = 0
    for (let j = place.firstEditorOf(k); j < place.firstEditorOf(k) + place.perCard; j++) {
      missing += Math.max(0, Atomics.load(shared.typed, j) - Y.getState(joiner.doc.store, shared.base + j))
    }
    return { missing, content: fieldContent(joiner.doc, opts.rich) }
  })
  for (const j of joiners) j.close()
  return out
}
