/**
 * The card page's approval section, kept current while the page is open: when the server
 * says the card's sign-offs, versions or status changed (room events `approval` and `card`),
 * the section is read again from the server, rendered for this person (their sign form, their
 * withdraw buttons), and put in place of the old one. What the person was typing in its forms
 * stays.
 */

/** Form controls whose contents outlive a refresh, by id. */
const KEPT = ['sign-note', 'sign-role', 'changes-reason'];

function carryOver(old, fresh) {
  for (const id of KEPT) {
    const before = old.querySelector(`#${id}`);
    const after = fresh.querySelector(`#${id}`);
    if (before && after && before.value !== after.value) after.value = before.value;
  }
  const wasOpen = old.querySelector('details.request-changes')?.open;
  const details = fresh.querySelector('details.request-changes');
  if (details && wasOpen) details.open = true;
}

/**
 * @param {{url: string, provider: any, announce?: (text: string) => void, t: (key: string) => string,
 *   fetch?: typeof fetch}} options
 */
export function liveApproval({ url, provider, t, announce = () => {}, fetch: get = globalThis.fetch.bind(globalThis) }) {
  let inFlight = false;
  let again = false;
  let joins = 0;
  let destroyed = false;

  const refresh = async () => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    try {
      const response = await get(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
      const current = document.getElementById('approval');
      if (!response.ok || !current || destroyed) return;
      const parsed = new DOMParser().parseFromString(await response.text(), 'text/html');
      const fresh = parsed.getElementById('approval');
      if (!fresh) return;
      carryOver(current, fresh);
      const focused = current.contains(document.activeElement) ? document.activeElement.id : '';
      current.replaceWith(document.adoptNode(fresh));
      if (focused) document.getElementById(focused)?.focus();
      announce(t('editor.approval_updated'));
    } catch {
      // Offline: the section stays as it was; the next event or rejoin reads it again.
    } finally {
      inFlight = false;
      if (again && !destroyed) {
        again = false;
        refresh();
      }
    }
  };

  const onApproval = () => refresh();
  const onCard = ({ status }) => {
    joins += 1;
    const shown = document.getElementById('approval-status');
    // The first `card` event answers this page's own join and matches what it was served;
    // later ones follow a status change, or a rejoin after events may have been missed.
    if (joins > 1 || (shown && !shown.classList.contains(`status-${status}`))) refresh();
  };
  provider.on('approval', onApproval);
  provider.on('card', onCard);
  return {
    refresh,
    destroy() {
      destroyed = true;
      provider.off('approval', onApproval);
      provider.off('card', onCard);
    },
  };
}
