/** The saving indicator: what is true (describe) and what is shown (CalmDisplay). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CalmDisplay, SAVING_DELAY, SAVING_MINIMUM, describe } from '../src/save-status.js';

const base = { connected: true, firstConnecting: false, joined: true, synced: true, pending: 0, canEdit: true, error: null };
const state = (status) => describe({ ...base, ...status }).state;

test('the first connection says "connecting", never "offline"', () => {
  assert.equal(state({ connected: false, firstConnecting: true, joined: false, synced: false }), 'connecting');
  assert.equal(state({ connected: true, joined: false, synced: false }), 'connecting');
  assert.equal(state({ connected: false, firstConnecting: false }), 'offline');
});

test('waiting work is "unsaved changes", with no count', () => {
  const offline = describe({ ...base, connected: false, pending: 7 });
  assert.deepEqual(offline, { state: 'offline', key: 'editor.status.offline_waiting' });
  const refused = describe({ ...base, pending: 3, error: { code: 'invalid_shape' } });
  assert.deepEqual(refused, { state: 'error', key: 'editor.status.not_saved' });
  // Edits an earlier page left in the browser, while the server is out of reach, are unsaved too.
  assert.equal(describe({ ...base, connected: false, kept: 2 }).key, 'editor.status.offline_waiting');
  assert.equal(state({ pending: 1 }), 'saving');
  assert.equal(state({ canEdit: false }), 'read-only');
  assert.equal(state({}), 'saved');
});

/** A clock the test moves by hand. */
function fakeClock() {
  let now = 0;
  let next = 1;
  const timers = new Map();
  return {
    now: () => now,
    setTimeout: (fn, ms) => { timers.set(next, { fn, at: now + ms }); return next++; },
    clearTimeout: (id) => timers.delete(id),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((x, y) => x[1].at - y[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
  };
}

const view = (s) => ({ state: s, key: `editor.status.${s}` });

function display() {
  const clock = fakeClock();
  const shown = [];
  const calm = new CalmDisplay((v) => shown.push(v.state), { clock });
  return { clock, shown, calm, truth: (s) => calm.update(view(s)) };
}

test('typing against a server that answers quickly keeps "saved" on screen', () => {
  const { clock, shown, truth } = display();
  truth('connecting');
  truth('saved');
  for (let i = 0; i < 50; i++) { // a key every 120 ms, each acknowledged within 30 ms
    truth('saving');
    clock.advance(30);
    truth('saved');
    clock.advance(90);
  }
  assert.deepEqual(shown, ['connecting', 'saved']);
});

test('work unacknowledged past the delay shows "saving", then "saved" once acknowledged', () => {
  const { clock, shown, truth } = display();
  truth('saved');
  truth('saving');
  clock.advance(SAVING_DELAY - 1);
  assert.deepEqual(shown, ['saved']);
  // Steady typing on a slow server: the truth stays "saving"; the screen changes once.
  for (let i = 0; i < 20; i++) { truth('saving'); clock.advance(100); }
  assert.deepEqual(shown, ['saved', 'saving']);
  truth('saved');
  assert.deepEqual(shown, ['saved', 'saving', 'saved']);
});

test('"saving" never just blinks: it stays for the minimum', () => {
  const { clock, shown, truth } = display();
  truth('saved');
  truth('saving');
  clock.advance(SAVING_DELAY);
  assert.deepEqual(shown, ['saved', 'saving']);
  clock.advance(10);
  truth('saved');
  assert.deepEqual(shown, ['saved', 'saving']);
  clock.advance(SAVING_MINIMUM - 20);
  assert.deepEqual(shown, ['saved', 'saving']);
  clock.advance(10);
  assert.deepEqual(shown, ['saved', 'saving', 'saved']);
});

test('news shows at once: offline, "saving" after offline, an error', () => {
  const { clock, shown, truth } = display();
  truth('saved');
  truth('offline');
  truth('saving'); // back online with queued work
  clock.advance(5);
  truth('saved');
  clock.advance(SAVING_MINIMUM);
  truth('error');
  assert.deepEqual(shown, ['saved', 'offline', 'saving', 'saved', 'error']);
});

test('a change of words in the same state shows (offline, then offline with unsaved changes)', () => {
  const clock = fakeClock();
  const shown = [];
  const calm = new CalmDisplay((v) => shown.push(v.key), { clock });
  calm.update({ state: 'offline', key: 'editor.status.offline' });
  calm.update({ state: 'offline', key: 'editor.status.offline' });
  calm.update({ state: 'offline', key: 'editor.status.offline_waiting' });
  assert.deepEqual(shown, ['editor.status.offline', 'editor.status.offline_waiting']);
});
