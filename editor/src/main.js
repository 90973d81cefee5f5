/**
 * The card editor's entry point: reads the page, opens the card's live document, and once it
 * is synced replaces the server-rendered content with the live form. Until then (or without
 * JavaScript) the static content stays readable.
 */
import './styles/editor.css';
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import { Transport } from './collab/transport.js';
import { CardProvider } from './collab/provider.js';
import { UnsentStore } from './collab/unsent.js';
import { readPage } from './page.js';
import { translator } from './i18n.js';
import { h } from './dom.js';
import { buildForm } from './form.js';
import { presence } from './presence.js';
import { saveStatus } from './save-status.js';
import { followTargets, liveCriteria, placeChecklist } from './criteria.js';
import { documentFields } from './form.js';
import { cardText, stoppedNotice } from './unsaved.js';
import { startReview } from './review/review.js';
import { NARROW } from './review/panel.js';
import { liveApproval } from './approval.js';

/** Why editing stopped, in words: the policy's reason as the server gave it. */
function stoppedMessage(t, { reason, removed }) {
  if (removed) return t('editor.removed_from_card');
  if (reason && reason.startsWith('policy.status_')) return t('editor.read_only_status');
  return t('editor.read_only_now');
}

function readOnlyNotice(notice) {
  document.getElementById('read-only-reason')?.remove();
  document.querySelector('.card-head')?.append(notice);
  return notice;
}

function liveTitle(doc, t) {
  const target = document.getElementById('card-title');
  const title = doc.getText('title');
  const show = () => {
    if (!target) return;
    target.textContent = title.toString() || t('editor.untitled');
    // What people wrote is not the interface's to translate (nor a browser's).
    if (title.length) target.setAttribute('translate', 'no'); else target.removeAttribute('translate');
  };
  title.observe(show);
  return () => title.unobserve(show);
}

export function start() {
  const page = readPage();
  const t = translator(page.messages, page.lang);
  const doc = new Y.Doc();
  const awareness = new Awareness(doc);
  // The server replaces `user` with its own record of who we are; this is the page's guess.
  const user = { id: page.user.id, name: page.user.name, organisation: page.user.organisation, color: '#5b6775' };
  awareness.setLocalState({ user, field: null });

  const transport = new Transport();
  // What this person types is kept in the browser until the server has it (collab/unsent.js).
  const store = new UnsentStore({ userId: page.user.id, cardId: page.cardId });
  const provider = new CardProvider({ transport, cardId: page.cardId, doc, awareness, canEdit: page.canEdit, store });

  const status = h('p', { id: 'save-state', class: 'save-state', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const people = h('ul', { class: 'presence-list', id: 'presence-list' });
  const bar = h('div', { class: 'editor-bar' }, status,
    h('section', { class: 'presence', 'aria-label': t('editor.presence') },
      h('h2', { class: 'visually-hidden' }, t('editor.presence')), people));
  page.root.prepend(bar);
  page.root.setAttribute('aria-busy', 'true');

  // Comments: the panel beside the form (in the side column, above the criteria), its toggle
  // with the open count in the bar. Threads load at once; their places in the text once the
  // form is built.
  const review = startReview({ page, t, doc, provider });
  bar.append(review.panel.toggle);
  // At phone width the toggle waits at the foot of the screen, but in a band that ends with
  // the form: it never covers the checklist or the approval section that follow it.
  const dock = h('div', { class: 'review-dock' });
  const narrow = globalThis.matchMedia?.(NARROW);
  const placeToggle = () => {
    const target = narrow?.matches && dock.isConnected ? dock : bar;
    if (review.panel.toggle.parentNode !== target) target.append(review.panel.toggle);
  };
  narrow?.addEventListener?.('change', placeToggle);
  const side = document.getElementById('card-side');
  if (side) side.prepend(review.panel.element);
  else page.root.after(review.panel.element);
  document.body.append(review.panel.back);

  const saving = saveStatus({ provider, element: status, t });
  const criteriaList = document.getElementById('criteria-list');
  const attest = criteriaList?.dataset.attestUrl ? { url: criteriaList.dataset.attestUrl, csrf: page.csrf } : null;
  const criteria = criteriaList && page.criteriaUrl
    ? liveCriteria({ url: page.criteriaUrl, list: criteriaList, count: document.getElementById('criteria-count'), t,
      lang: page.lang, attest })
    : null;
  const stopTargets = criteriaList ? followTargets(criteriaList) : null;
  const checklist = document.getElementById('checklist');
  const slot = document.getElementById('criteria-slot');
  const details = document.getElementById('criteria-details');
  const unplaceChecklist = checklist && slot && details && side && narrow
    ? placeChecklist({ checklist, details, slot, side, narrow }) : null;

  // Sign-offs, versions and status as others change them; a screen reader hears that the
  // section changed, once, not every line of it.
  const approvalNews = h('p', { class: 'visually-hidden', id: 'approval-news', role: 'status', 'aria-live': 'polite' });
  document.getElementById('approval')?.after(approvalNews);
  const approval = page.approvalUrl
    ? liveApproval({ url: page.approvalUrl, provider, t, announce: (text) => { approvalNews.textContent = text; } })
    : null;

  let form = null;
  let who = null;
  let stopTitle = null;
  const show = () => {
    if (form) return;
    form = buildForm(page.template, { doc, t, provider, awareness, user, dir: page.dir, richTextExtensions: review.extensionsFor });
    page.root.querySelector('.card-static')?.remove();
    page.root.append(form.element, dock);
    placeToggle();
    page.root.removeAttribute('aria-busy');
    page.root.classList.add('live');
    who = presence({ awareness, doc, form, t, lang: page.lang, list: people, selfId: page.user.id });
    stopTitle = liveTitle(doc, t);
    form.setEditable(provider.canEdit);
    review.attach(form);
  };
  const onSynced = () => show();
  let couldEdit = page.canEdit;
  const yourRoles = document.getElementById('your-roles');
  const onPermissions = (change) => {
    form?.setEditable(change.canEdit);
    if (yourRoles && Array.isArray(change.roles)) {
      yourRoles.textContent = change.roles.map((role) => t(`role.${role}`)).join(t('list.separator')) || '—';
    }
    if (!change.canEdit && (couldEdit || change.removed)) {
      // Whatever was typed and not acknowledged stays in this browser's copy: offer it.
      const unsaved = provider.status.pending > 0 ? cardText(doc, documentFields(page.template), t) : '';
      readOnlyNotice(stoppedNotice({ message: stoppedMessage(t, change), text: unsaved, t }));
    } else if (change.canEdit && !couldEdit) {
      document.getElementById('read-only-reason')?.remove();
    }
    couldEdit = change.canEdit;
  };
  const onRefused = (reason) => {
    if (reason === 'signed_out') {
      const unsaved = provider.status.pending > 0 ? cardText(doc, documentFields(page.template), t) : '';
      form?.setEditable(false);
      readOnlyNotice(stoppedNotice({ message: t('editor.signed_out'), text: unsaved, t }));
    }
  };
  transport.on('refused', onRefused);
  // Edits an earlier page left unsent, on a card this person may no longer edit: not sent,
  // but offered to copy, with the rest of the card's text, when they add anything to it.
  const onStranded = (updates, forget) => {
    const fields = documentFields(page.template);
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    const before = cardText(copy, fields, t);
    for (const update of updates) Y.applyUpdate(copy, update);
    const text = cardText(copy, fields, t);
    copy.destroy();
    if (text === before) return;
    const notice = stoppedNotice({ message: t('editor.stranded'), text, t });
    notice.id = 'stranded-edits';
    notice.append(h('button', {
      type: 'button', class: 'stranded-forget',
      onclick: () => {
        forget();
        notice.remove();
      },
    }, t('editor.stranded_forget')));
    document.getElementById('stranded-edits')?.remove();
    document.querySelector('.card-head')?.append(notice);
  };
  provider.on('stranded', onStranded);
  const onCard = ({ status: cardStatus }) => {
    const badge = document.querySelector('.card-head .status');
    if (!badge || typeof cardStatus !== 'string') return;
    badge.className = `status status-${cardStatus}`;
    badge.textContent = t(`status.${cardStatus}`);
  };
  provider.on('card', onCard);
  let wasPending = 0;
  const onStatus = (s) => {
    if (wasPending > 0 && s.pending === 0) criteria?.schedule();
    wasPending = s.pending;
  };
  const onUpdate = (update, origin) => {
    if (origin === provider) criteria?.schedule();
  };
  provider.on('synced', onSynced);
  provider.on('permissions', onPermissions);
  provider.on('status', onStatus);
  doc.on('update', onUpdate);
  transport.connect();

  const stop = () => {
    provider.off('synced', onSynced);
    provider.off('permissions', onPermissions);
    provider.off('status', onStatus);
    transport.off('refused', onRefused);
    provider.off('stranded', onStranded);
    provider.off('card', onCard);
    doc.off('update', onUpdate);
    criteria?.destroy();
    stopTargets?.();
    unplaceChecklist?.();
    approval?.destroy();
    narrow?.removeEventListener?.('change', placeToggle);
    saving.destroy();
    who?.destroy();
    stopTitle?.();
    review.destroy();
    form?.destroy();
    provider.destroy();
    transport.destroy();
    awareness.destroy();
  };
  window.addEventListener('pagehide', stop, { once: true });
  // For tests and debugging in the console: the live document, its provider, the review.
  page.root.iltizam = { doc, provider, awareness, review, stop };
  return page.root.iltizam;
}

start();
