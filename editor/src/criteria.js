/**
 * The drafting criteria checklist beside the form, refreshed from the server a moment after
 * the last change (local or remote), so it always reflects what the server holds.
 *
 * On phones and tablets the side column comes after the whole form, thousands of pixels down:
 * there the checklist moves into the card's header, folded to its summary line ("met: 8/11"),
 * and back beside the form when the screen is wide again.
 */
import { h } from './dom.js';

export const CRITERIA_DELAY_MS = 1000;

export function renderCriteria(list, result, t, lang, count = null) {
  list.replaceChildren(...result.criteria.map((c) => h('li', { class: c.passed ? 'pass' : 'fail', dataset: { criterion: c.id } },
    h('span', { 'aria-hidden': 'true' }, c.passed ? '✓' : '✗'), ' ',
    h('span', { class: 'visually-hidden' }, `${t(c.passed ? 'criteria.passed' : 'criteria.failed')}:`), ' ',
    c.label?.[lang] ?? c.label?.en ?? c.id,
    c.kind === 'manual' ? [' ', h('small', { class: 'muted' }, `(${t('criteria.manual')})`)] : null)));
  list.dataset.passed = String(result.passed);
  list.dataset.total = String(result.total);
  if (count) count.textContent = t('criteria.summary', { passed: result.passed, total: result.total });
}

export function liveCriteria({ url, list, count = null, t, lang, fetch: get = globalThis.fetch.bind(globalThis) }) {
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
      if (response.ok) renderCriteria(list, await response.json(), t, lang, count);
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

export function placeChecklist({ checklist, details, slot, side, narrow }) {
  // What follows the checklist in the side column (the approval section), to go back before it.
  const next = checklist.nextElementSibling;
  const place = () => {
    const target = narrow.matches ? slot : side;
    if (checklist.parentNode === target) return;
    // Folded where it would push the form down, open where it has its own column; a person
    // who opens or folds it keeps their choice until the layout changes.
    if (target === slot) slot.append(checklist);
    else side.insertBefore(checklist, next?.parentNode === side ? next : null);
    details.open = !narrow.matches;
  };
  place();
  narrow.addEventListener?.('change', place);
  return () => narrow.removeEventListener?.('change', place);
}
