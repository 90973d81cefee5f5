/**
 * The drafting criteria checklist beside the form, refreshed from the server a moment after
 * the last change (local or remote), so it always reflects what the server holds.
 */
import { h } from './dom.js';

export const CRITERIA_DELAY_MS = 1000;

export function renderCriteria(list, result, t, lang) {
  list.replaceChildren(...result.criteria.map((c) => h('li', { class: c.passed ? 'pass' : 'fail', dataset: { criterion: c.id } },
    h('span', { 'aria-hidden': 'true' }, c.passed ? '✓' : '✗'), ' ',
    h('span', { class: 'visually-hidden' }, `${t(c.passed ? 'criteria.passed' : 'criteria.failed')}:`), ' ',
    c.label?.[lang] ?? c.label?.en ?? c.id,
    c.kind === 'manual' ? [' ', h('small', { class: 'muted' }, `(${t('criteria.manual')})`)] : null)));
  list.dataset.passed = String(result.passed);
  list.dataset.total = String(result.total);
}

export function liveCriteria({ url, list, t, lang, fetch: get = globalThis.fetch.bind(globalThis) }) {
  let timer = null;
  let inFlight = false;
  let again = false;
  const refresh = async () => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    try {
      const response = await get(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (response.ok) renderCriteria(list, await response.json(), t, lang);
    } catch {
      // Offline: the list stays as it was and refreshes after the next change.
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = () => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      refresh();
    }, CRITERIA_DELAY_MS);
  };
  return {
    schedule,
    destroy() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
