/**
 * The saving indicator, and the warning on leaving the page with unsaved changes.
 *
 * What is true: "saved" only when the server acknowledged every local change; "connecting"
 * while the page makes its first connection (never "offline" before it had a chance); "offline
 * — unsaved changes" when disconnected with work waiting. What is shown is that, calmed
 * (`CalmDisplay`): a keystroke acknowledged within a few hundred milliseconds does not turn
 * "saved" into "saving" and back. The calm applies to the words only: the element's
 * `data-state` and `data-pending`, and the warning on leaving, always follow the truth.
 */

/**
 * The state to show for a provider status.
 * @returns {{state: string, key: string, params?: object}}
 */
export function describe(status) {
  if (status.error && status.pending > 0) return { state: 'error', key: 'editor.status.not_saved' };
  if (status.error && status.error.code === 'no_access') return { state: 'error', key: 'editor.status.removed' };
  if (status.error && status.error.code !== 'read_only') return { state: 'error', key: 'editor.status.refused' };
  if (!status.connected) {
    if (status.firstConnecting) return { state: 'connecting', key: 'editor.status.connecting' };
    return status.pending > 0 || status.kept > 0
      ? { state: 'offline', key: 'editor.status.offline_waiting' }
      : { state: 'offline', key: 'editor.status.offline' };
  }
  if (!status.joined || !status.synced) return { state: 'connecting', key: 'editor.status.connecting' };
  if (!status.canEdit) return { state: 'read-only', key: 'editor.status.read_only' };
  if (status.pending > 0) return { state: 'saving', key: 'editor.status.saving' };
  return { state: 'saved', key: 'editor.status.saved' };
}

/** Unacknowledged work must last this long (ms) before "saved" gives way to "saving". */
export const SAVING_DELAY = 400;
/** Once shown, "saving" stays at least this long (ms), so that it never just blinks. */
export const SAVING_MINIMUM = 600;

const same = (a, b) => a && b && a.state === b.state && a.key === b.key;

/**
 * Decides what the indicator shows from the stream of true states (`describe` results).
 *
 * - "saved" → "saving" only once the true state has been "saving" for `delay` ms without a
 *   break: typing on a server that answers quickly keeps "saved" on screen throughout.
 * - "saving" → "saved" at once, unless "saving" has been on screen less than `minimum` ms.
 * - Every other change (connecting, offline, read-only, an error, "saving" after "offline")
 *   shows at once: those are news.
 */
export class CalmDisplay {
  /**
   * @param {(view: {state: string, key: string}) => void} show
   * @param {object} [options]
   * @param {{now: () => number, setTimeout: Function, clearTimeout: Function}} [options.clock]
   */
  constructor(show, { delay = SAVING_DELAY, minimum = SAVING_MINIMUM, clock = globalThis } = {}) {
    this.show = show;
    this.delay = delay;
    this.minimum = minimum;
    this.clock = {
      now: typeof clock.now === 'function' ? () => clock.now() : () => Date.now(),
      setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
      clearTimeout: (id) => clock.clearTimeout(id),
    };
    this.shown = null;
    this.shownAt = 0;
    this.latest = null;
    this.savingSince = null; // when the truth turned "saving" while "saved" was shown
    this.timer = null;
  }

  update(view) {
    this.latest = view;
    this._decide();
  }

  _decide() {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    const view = this.latest;
    const now = this.clock.now();
    if (view.state !== 'saving') this.savingSince = null;
    if (view.state === 'saving' && this.shown?.state === 'saved') {
      if (this.savingSince === null) this.savingSince = now;
      const wait = this.savingSince + this.delay - now;
      if (wait > 0) {
        this.timer = this.clock.setTimeout(() => this._decide(), wait);
        return;
      }
    }
    if (view.state === 'saved' && this.shown?.state === 'saving') {
      const wait = this.shownAt + this.minimum - now;
      if (wait > 0) {
        this.timer = this.clock.setTimeout(() => this._decide(), wait);
        return;
      }
    }
    if (same(view, this.shown)) return;
    this.shown = view;
    this.shownAt = now;
    this.show(view);
  }

  destroy() {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}

export function saveStatus({ provider, element, t, window: win = window }) {
  const calm = new CalmDisplay((view) => {
    element.dataset.shown = view.state;
    element.textContent = t(view.key, view.params);
  });
  const render = (status) => {
    const view = describe(status);
    // The truth, for scripts and tests; the words and their colour follow `data-shown`.
    element.dataset.state = view.state;
    element.dataset.pending = String(status.pending);
    calm.update(view);
  };
  const onBeforeUnload = (event) => {
    if (provider.status.pending === 0) return;
    event.preventDefault();
    event.returnValue = t('editor.unsaved_warning');
  };
  provider.on('status', render);
  win.addEventListener('beforeunload', onBeforeUnload);
  render(provider.status);
  return {
    destroy() {
      calm.destroy();
      provider.off('status', render);
      win.removeEventListener('beforeunload', onBeforeUnload);
    },
  };
}
