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

function targetLinks(c, t, lang) {
  if (c.passed || !c.targets?.length) return null;
  const key = c.rule === 'required_fields' ? 'criteria.target.required' : 'criteria.target.check';
  return h('ul', { class: 'criterion-targets' }, c.targets.map((target) => h('li', {},
    h('a', { href: `#field-${target.field}`, dataset: { field: target.field, path: target.path } },
      t(key, { field: target.label?.[lang] ?? target.label?.en ?? target.field })))));
}

/** A plain form, as the server renders it: it works the same with or without this script. */
function attestForm(c, t, attest) {
  if (c.kind !== 'manual' || !attest) return null;
  const hidden = (name, value) => h('input', { type: 'hidden', name, value });
  return h('form', { class: 'attest', method: 'post', action: attest.url },
    hidden('csrf_token', attest.csrf), hidden('criterion', c.id), hidden('attested', c.passed ? 'false' : 'true'),
    h('button', {}, t(c.passed ? 'criteria.withdraw' : 'criteria.attest')));
}

export function renderCriteria(list, result, t, lang, attest = null, count = null) {
  list.replaceChildren(...result.criteria.map((c) => h('li', { class: c.passed ? 'pass' : 'fail', dataset: { criterion: c.id } },
    h('span', { 'aria-hidden': 'true' }, c.passed ? '✓' : '✗'), ' ',
    h('span', { class: 'visually-hidden' }, `${t(c.passed ? 'criteria.passed' : 'criteria.failed')}:`), ' ',
    c.label?.[lang] ?? c.label?.en ?? c.id,
    c.kind === 'manual' ? [' ', h('small', { class: 'muted' }, `(${t('criteria.manual')})`)] : null,
    targetLinks(c, t, lang), attestForm(c, t, attest))));
  list.dataset.passed = String(result.passed);
  list.dataset.total = String(result.total);
  if (count) count.textContent = t('criteria.summary', { passed: result.passed, total: result.total });
}

/**
 * Where a failing path leads: the control of that field (the cell of a table row, the option of a
 * choice) when the form shows it, else the field's frame. Paths are those of
 * server/content/criteria.py: `field`, `table[row].column`, `field.option`.
 */
export function targetControl(root, path) {
  const match = /^(\w+)(?:\[(\d+)\])?(?:\.(\w+))?$/.exec(path || '');
  if (!match) return null;
  const [, field, row, part] = match;
  const frame = root.getElementById(`field-${field}`);
  if (!frame) return null;
  // The text itself first: a rich-text field's toolbar has controls of its own before it.
  const focusable = ['[contenteditable="true"]', 'textarea:not([disabled])',
    'input:not([type=hidden]):not([disabled]), select:not([disabled])'];
  const first = (scope) => focusable.map((selector) => scope.querySelector(selector)).find(Boolean);
  if (frame.matches(focusable.join(', '))) return frame;
  let scope = frame;
  if (row !== undefined) scope = frame.querySelectorAll('tbody tr')[Number(row)] ?? frame;
  if (part !== undefined) {
    const cell = scope.querySelector(`[data-col="${part}"]`);
    if (cell) return cell;
  }
  return first(scope) ?? frame;
}

/** Clicking a failing field's link puts the cursor in that field (the link alone only scrolls). */
export function followTargets(list, root = document) {
  const onClick = (event) => {
    const link = event.target.closest?.('a[data-path]');
    if (!link || !list.contains(link)) return;
    const control = targetControl(root, link.dataset.path);
    if (!control) return;
    event.preventDefault();
    // A read-only field's frame holds nothing focusable: it takes the focus itself.
    if (control.tabIndex < 0 && !control.hasAttribute('tabindex')) control.setAttribute('tabindex', '-1');
    control.scrollIntoView?.({ block: 'center' });
    control.focus({ preventScroll: true });
  };
  list.addEventListener('click', onClick);
  return () => list.removeEventListener('click', onClick);
}

export function liveCriteria({ url, list, count = null, t, lang, attest = null, fetch: get = globalThis.fetch.bind(globalThis) }) {
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
      if (response.ok) renderCriteria(list, await response.json(), t, lang, attest, count);
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
