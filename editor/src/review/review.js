/**
 * Review on the card page (issue 10): comment threads beside the live form. Wires the thread
 * store (API and room events) to the panel, the highlights in rich-text fields, the marks on
 * text fields and table cells (an <input> cannot show a highlight), the comment button and
 * Ctrl+Alt+M, and the jumps between a thread and its text.
 *
 * Whether a range is still there is read from the live document, as everyone edits: when its
 * text is deleted the thread shows as detached at once, before the server says so.
 */
import * as Y from 'yjs';
import { h } from '../dom.js';
import { commentIcon } from './icon.js';
import { reviewApi } from './api.js';
import { ReviewStore } from './store.js';
import { reviewPanel } from './panel.js';
import { reviewHighlights, refresh as refreshHighlights, bindingOf } from './highlights.js';
import { selectInControl, selectInEditor, selectionWatcher } from './selection.js';
import { anchorAhead, resolveRich, resolveText } from './anchors.js';
import { codePointToUtf16 } from './offsets.js';
import { countThreads, orderThreads } from './threads.js';

/**
 * @param {object} o
 * @param {ReturnType<import('../page.js').readPage>} o.page
 * @param {Function} o.t
 * @param {Y.Doc} o.doc
 * @param {import('../collab/provider.js').CardProvider} o.provider
 */
export function startReview({ page, t, doc, provider }) {
  const api = reviewApi({ cardId: page.cardId, csrf: page.csrf, lang: page.lang, unreachable: t('editor.review.unreachable') });
  const store = new ReviewStore({ api, canComment: page.canComment, selfId: page.user.id });
  const fields = page.template.fields.filter((f) => (f.source ?? 'document') === 'document');
  const fieldIndex = new Map(fields.map((f, i) => [f.id, i]));
  const byId = new Map(fields.map((f) => [f.id, f]));
  let form = null;
  let watcher = null;
  let active = null; // the thread shown in the text
  let draft = null; // {field, anchor} of the comment being written
  const marked = new Set();

  const panel = reviewPanel({
    t, lang: page.lang, store,
    onJump: (thread) => jump(thread),
    onCardComment: () => compose({ kind: 'card', field: null, row: null, column: null, quote: '', anchor: null, restore: () => panel.toggle.focus() }),
  });

  // --- where each thread is in the live document ---------------------------------------

  const rowsOf = (fieldId) => doc.getArray(fieldId).toArray().filter((r) => r instanceof Y.Map);
  const cellText = (thread) => {
    const row = rowsOf(thread.field).find((r) => r.get('id') === thread.row);
    const cell = row?.get(thread.column);
    return cell instanceof Y.Text ? cell : null;
  };
  const editorOf = (fieldId) => form?.shells.get(fieldId)?.widget?.editor ?? null;

  /** `{range, gone}`: the range now (ProseMirror positions or UTF-16 indexes), or that its text is deleted. */
  const locate = (thread) => {
    if (thread.kind !== 'range' || !thread.anchor || !byId.has(thread.field)) return { range: null, gone: false };
    if (anchorAhead(doc, thread.anchor)) return { range: null, gone: false }; // its text has not reached us yet
    const field = byId.get(thread.field);
    if (field.type === 'rich_text') {
      const editor = editorOf(field.id);
      const binding = editor && bindingOf(editor.state);
      if (!binding) return { range: null, gone: false };
      const range = resolveRich(binding.fragment, binding.mapping, thread.anchor);
      return { range, gone: !range || range.from >= range.to, rich: true };
    }
    const ytext = field.type === 'table' ? cellText(thread) : doc.getText(field.id);
    if (!ytext) return { range: null, gone: field.type === 'table' && !rowsOf(field.id).some((r) => r.get('id') === thread.row) };
    const at = resolveText(ytext, thread.anchor);
    // Not in this cell: the row was moved (a move copies the row); the server re-anchors it.
    if (!at) return { range: null, gone: field.type !== 'table' };
    return { range: { start: at.start, end: at.end }, gone: at.start >= at.end, ytext };
  };

  let located = new Map();
  const detachedOf = (thread) => thread.detached || !!located.get(thread.id)?.gone;

  const placeOf = (thread) => {
    const field = thread.field == null ? null : byId.get(thread.field);
    const where = located.get(thread.id);
    const range = where?.range;
    return {
      field: field ? fieldIndex.get(field.id) : thread.field == null ? -1 : fields.length,
      row: field?.type === 'table' && thread.row != null ? rowsOf(field.id).findIndex((r) => r.get('id') === thread.row) : -1,
      column: field?.type === 'table' && thread.column != null ? field.columns.findIndex((c) => c.id === thread.column) : -1,
      position: thread.kind !== 'range' ? -1 : range ? (range.from ?? range.start) : (thread.start ?? 0),
    };
  };

  const whereOf = (thread) => {
    if (thread.field == null) return t('editor.review.on_card');
    const field = byId.get(thread.field);
    const label = field ? t.pick(field.label) : thread.field;
    if (field?.type === 'table' && thread.row != null) {
      const n = rowsOf(field.id).findIndex((r) => r.get('id') === thread.row) + 1;
      const column = field.columns.find((c) => c.id === thread.column);
      const cell = column ? t('editor.cell', { column: t.pick(column.label), n: n || '—' }) : '';
      return cell ? `${label} — ${cell}` : label;
    }
    return label;
  };

  // --- drawing ----------------------------------------------------------------------------

  const rangesFor = (fieldId) => {
    const out = [];
    for (const thread of store.threads) {
      if (thread.field !== fieldId || thread.kind !== 'range' || !thread.anchor) continue;
      if (thread.status === 'resolved' && thread.id !== active) continue;
      out.push({ id: thread.id, anchor: thread.anchor, active: thread.id === active });
    }
    if (draft && draft.field === fieldId && draft.anchor) out.push({ id: 'draft', anchor: draft.anchor, draft: true });
    return out;
  };

  /** Marks on fields: a count badge on every field with open threads, an outline on text controls with ranges. */
  const markFields = (ordered) => {
    if (!form) return;
    const perField = new Map();
    const controls = new Map();
    for (const thread of ordered) {
      if (thread.status === 'resolved' || thread.field == null) continue;
      perField.set(thread.field, (perField.get(thread.field) ?? 0) + 1);
      const field = byId.get(thread.field);
      if (thread.kind === 'range' && field && field.type !== 'rich_text' && !detachedOf(thread)) {
        const control = field.type === 'table'
          ? form.shells.get(field.id)?.element.querySelector(`tr[data-row-id="${CSS.escape(String(thread.row))}"] [data-col="${CSS.escape(String(thread.column))}"]`)
          : document.getElementById(`input-${field.id}`);
        if (control) controls.set(control, (controls.get(control) ?? 0) + 1);
      }
    }
    for (const [fieldId, shell] of form.shells) {
      const n = perField.get(fieldId) ?? 0;
      let badge = shell.element.querySelector(':scope > .field-head .field-comments');
      if (n > 0 && !badge) {
        badge = h('button', { type: 'button', class: 'field-comments', onclick: () => showFieldThreads(fieldId) });
        shell.element.querySelector('.field-head').append(badge);
      }
      if (badge && n === 0) badge.remove();
      else if (badge && badge.dataset.n !== String(n)) {
        badge.dataset.n = String(n);
        badge.replaceChildren(commentIcon(), ' ', String(n));
        badge.setAttribute('aria-label', t('editor.review.field_count', { n }));
        badge.title = t('editor.review.field_count', { n });
      }
      shell.element.classList.toggle('has-comments', n > 0);
    }
    for (const control of marked) {
      if (!controls.has(control)) {
        control.classList.remove('has-comments');
        delete control.dataset.comments;
      }
    }
    marked.clear();
    for (const [control, n] of controls) {
      control.classList.add('has-comments');
      control.dataset.comments = String(n);
      marked.add(control);
    }
  };

  const redraw = () => {
    located = new Map(store.threads.map((thread) => [thread.id, locate(thread)]));
    const ordered = orderThreads(store.threads, placeOf);
    const counts = countThreads(ordered, detachedOf);
    panel.render(ordered, (thread) => {
      const where = whereOf(thread);
      const detached = detachedOf(thread);
      return { where, detached, active: thread.id === active, key: `${where}|${detached}|${thread.id === active}` };
    }, counts);
    markFields(ordered);
    // The highlight plugins follow the document by themselves; they are told when threads change.
    if (form && highlightsDirty) for (const shell of form.shells.values()) if (shell.widget?.editor) refreshHighlights(shell.widget.editor);
    highlightsDirty = false;
  };
  let scheduled = false;
  let highlightsDirty = true;
  const scheduleRedraw = (highlights = true) => {
    highlightsDirty ||= highlights;
    if (scheduled) return;
    scheduled = true;
    // Once per frame at most, after the binding has brought ProseMirror and Yjs together.
    requestAnimationFrame(() => {
      scheduled = false;
      redraw();
    });
  };

  // --- actions ----------------------------------------------------------------------------

  const setActive = (id) => {
    active = id;
    highlightsDirty = true;
    scheduleRedraw();
  };

  const showFieldThreads = (fieldId) => {
    const first = orderThreads(store.threads, placeOf).find((th) => th.field === fieldId && th.status !== 'resolved');
    if (first) {
      setActive(first.id);
      redraw();
      panel.reveal(first.id);
    }
  };

  const focusField = (fieldId, thread) => {
    const shell = form?.shells.get(fieldId);
    if (!shell) return false;
    let control = null;
    if (thread?.row != null && shell.field.type === 'table') {
      control = shell.element.querySelector(`tr[data-row-id="${CSS.escape(String(thread.row))}"] [data-col="${CSS.escape(String(thread.column ?? ''))}"]`)
        ?? shell.element.querySelector(`tr[data-row-id="${CSS.escape(String(thread.row))}"] :is(textarea, input, select)`);
    }
    control ??= shell.widget?.editor?.view.dom ?? shell.element.querySelector('textarea, input, select, button:not([disabled])');
    shell.element.scrollIntoView({ block: 'center' });
    if (control) control.focus({ preventScroll: true });
    return true;
  };

  /** Show a thread's text in the card, selected, and offer the way back. */
  const jump = (thread) => {
    if (!thread || thread.kind === 'card' || !form) return;
    setActive(thread.id);
    const where = locate(thread);
    const field = byId.get(thread.field);
    if (panel.isDrawer()) panel.shut({ focusToggle: false });
    if (where.range && !where.gone && field?.type === 'rich_text') {
      redraw();
      selectInEditor(editorOf(field.id), where.range.from, where.range.to);
    } else if (where.range && !where.gone) {
      const control = field.type === 'table'
        ? form.shells.get(field.id).element.querySelector(`tr[data-row-id="${CSS.escape(String(thread.row))}"] [data-col="${CSS.escape(String(thread.column))}"]`)
        : document.getElementById(`input-${field.id}`);
      if (control) selectInControl(control, where.range.start, where.range.end);
      else focusField(field.id, thread);
    } else if (thread.kind === 'range' && !detachedOf(thread) && thread.start != null && field && field.type !== 'rich_text') {
      // The anchor is not in this page's copy (a moved row): the server's offsets, in code points.
      const control = field.type === 'table'
        ? form.shells.get(field.id).element.querySelector(`tr[data-row-id="${CSS.escape(String(thread.row))}"] [data-col="${CSS.escape(String(thread.column))}"]`)
        : document.getElementById(`input-${field.id}`);
      if (control) selectInControl(control, codePointToUtf16(control.value, thread.start), codePointToUtf16(control.value, thread.end ?? thread.start));
      else focusField(field.id, thread);
    } else {
      focusField(thread.field, thread);
    }
    panel.offerBack(thread.id);
  };

  const contextOf = (target) => {
    const label = target.field ? t.pick(target.field.label) : t('editor.review.on_card');
    const cell = target.field?.type === 'table' && target.row != null
      ? (() => {
        const n = rowsOf(target.field.id).findIndex((r) => r.get('id') === target.row) + 1;
        const column = target.field.columns.find((c) => c.id === target.column);
        return column ? ` — ${t('editor.cell', { column: t.pick(column.label), n })}` : '';
      })() : '';
    return [
      h('p', { class: 'review-new-where' }, h('strong', {}, t('editor.review.new_title')), ' ', h('span', {}, label + cell),
        target.kind === 'field' ? h('span', { class: 'muted' }, ` (${t('editor.review.whole_field')})`) : null),
      target.quote ? h('p', { class: 'review-new-quote' }, h('bdi', { class: 'quoted' }, target.quote)) : null,
    ];
  };

  /** Open the new-comment box for a target (a range, a field, the card). */
  let finishDraft = null;
  const compose = (target) => {
    if (!store.canComment) return;
    finishDraft?.();
    watcher?.hide();
    draft = target.kind === 'range' && target.field?.type === 'rich_text' ? { field: target.field.id, anchor: target.anchor } : null;
    target.control?.classList.add('is-draft');
    scheduleRedraw();
    const finish = () => {
      draft = null;
      finishDraft = null;
      target.control?.classList.remove('is-draft');
      scheduleRedraw();
    };
    finishDraft = finish;
    panel.compose({
      context: contextOf(target),
      onSubmit: async (body) => {
        const payload = {
          field: target.field ? target.field.id : null, row: target.row ?? null, column: target.column ?? null, body,
        };
        if (target.kind === 'range') Object.assign(payload, { quote: target.quote, anchor: target.anchor });
        const thread = await store.create(payload);
        finish();
        active = thread.id;
        redraw();
        panel.reveal(thread.id);
      },
      onCancel: () => {
        finish();
        if (panel.isDrawer()) panel.shut({ focusToggle: false });
        target.restore();
      },
    });
  };

  // --- wiring -----------------------------------------------------------------------------

  const onReview = (event) => {
    if (store.receive(event)) scheduleRedraw();
  };
  const onPermissions = (change) => {
    // A refused write says nothing of commenting; a join answer or a standing event does.
    if (change.removed) store.setCanComment(false);
    else if (change.role != null) store.setCanComment(change.canComment === true);
  };
  const onStore = () => {
    panel.setCanComment(store.canComment);
    scheduleRedraw();
  };
  let syncedOnce = false;
  const load = () => store.load().catch((error) => panel.showError(error));
  const onSynced = () => {
    // Whatever happened while this page was away arrived as room events it did not hear.
    // Read again once joined again, not on reconnecting: someone taken off the card meanwhile
    // may no longer read its threads.
    if (syncedOnce) load();
    syncedOnce = true;
  };
  const onDocUpdate = () => scheduleRedraw(false);
  const onEscape = (event) => {
    if (event.key !== 'Escape' || event.defaultPrevented || panel.backTo == null) return;
    if (!form?.element.contains(document.activeElement)) return;
    event.preventDefault();
    panel.goBack();
  };
  const onFormClick = (event) => {
    const mark = event.target.closest?.('.review-highlight[data-thread]');
    const id = mark && mark.dataset.thread !== 'draft' ? Number(mark.dataset.thread) : null;
    if (id != null && store.get(id)) {
      setActive(id);
      redraw();
      panel.reveal(id, { focus: false });
    }
  };

  provider.on('review', onReview);
  provider.on('permissions', onPermissions);
  store.on('change', onStore);
  provider.on('synced', onSynced);
  if (provider.synced) syncedOnce = true;
  doc.on('update', onDocUpdate);
  document.addEventListener('keydown', onEscape);
  load();

  return {
    panel,
    store,
    /** Tiptap extensions for a rich-text field: its comment highlights. */
    extensionsFor: (field) => [reviewHighlights(() => rangesFor(field.id))],
    /** The form is built: mark it, watch selections in it, draw. */
    attach(built) {
      form = built;
      watcher = selectionWatcher({ doc, form, t, canComment: () => store.canComment, onComment: compose });
      form.element.addEventListener('click', onFormClick);
      redraw();
    },
    /** For tests and debugging: take a room event as if it had come from the server. */
    receive: onReview,
    destroy() {
      provider.off('review', onReview);
      provider.off('permissions', onPermissions);
      store.off('change', onStore);
      provider.off('synced', onSynced);
      doc.off('update', onDocUpdate);
      document.removeEventListener('keydown', onEscape);
      form?.element.removeEventListener('click', onFormClick);
      watcher?.destroy();
      panel.destroy();
      store.destroy();
    },
  };
}
