/**
 * The review side panel: the card's threads in document order under three filters (open,
 * resolved, detached), each with its quote, comments, reply, edit and delete of one's own
 * comments (delete asks first), resolve and reopen; plus "comment on the whole card" and the
 * box for a new comment. Beside the form on wide screens; a drawer, opened by the toggle
 * button with the open count, on narrow ones (styles/editor.css).
 *
 * Names, organisations and quotes are in <bdi>: an Arabic name in a French sentence (or the
 * other way round) must not reorder what is around it. A comment's text is the server's
 * sanitised `html`, the only HTML from outside ever inserted.
 */
import { h, uid } from '../dom.js';
import { FILTERS } from './threads.js';
import { composer } from './composer.js';
import { commentIcon } from './icon.js';

export const NARROW = '(max-width: 1000px)';
const LOCALES = { ar: 'ar-MA', fr: 'fr-FR', en: 'en-GB' };

function timeOf(iso, format) {
  if (!iso) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return h('time', { datetime: iso }, format.format(date));
}

/** An organisation's name in the page's language (the server sends every language's). */
function organisationName(org, lang) {
  if (!org) return '';
  if (typeof org === 'string') return org;
  return org[lang] || org.fr || org.ar || '';
}

function person(p, cls, lang) {
  if (!p) return null;
  const org = organisationName(p.organisation, lang);
  return h('span', { class: cls },
    h('bdi', { class: 'person-name', translate: 'no' }, p.name || '?'),
    org ? h('span', { class: 'muted person-org' }, ' · ', h('bdi', {}, org)) : null);
}

/**
 * @param {object} o
 * @param {Function} o.t
 * @param {string} o.lang
 * @param {import('./store.js').ReviewStore} o.store
 * @param {(thread: object) => void} o.onJump show the thread's text in the card
 * @param {() => void} o.onCardComment
 * @param {(error: any) => void} [o.onError]
 */
export function reviewPanel({ t, lang, store, onJump, onCardComment }) {
  const format = new Intl.DateTimeFormat(LOCALES[lang] ?? lang, { dateStyle: 'medium', timeStyle: 'short' });
  const headingId = uid('review-heading');
  const heading = h('h2', { id: headingId, class: 'review-title', tabindex: '-1' }, t('editor.review.title'));
  const close = h('button', { type: 'button', class: 'review-close', 'aria-label': t('editor.review.close'), title: t('editor.review.close') },
    h('span', { 'aria-hidden': 'true' }, '✕'));
  const filterButtons = new Map(FILTERS.map((f) => [f, h('button', {
    type: 'button', class: `review-filter filter-${f}`, 'aria-pressed': String(f === 'open'), dataset: { filter: f },
  })]));
  const cardButton = h('button', { type: 'button', class: 'review-card-comment' }, t('editor.review.comment_card'));
  const newSlot = h('div', { class: 'review-new' });
  const error = h('p', { class: 'review-error', role: 'alert' });
  const empty = h('p', { class: 'review-empty muted' });
  const list = h('ol', { class: 'review-threads' });
  const element = h('aside', { class: 'review-panel', id: 'review-panel', 'aria-label': t('editor.review.title') },
    h('div', { class: 'review-head' }, heading, close),
    h('div', { class: 'review-filters', role: 'group', 'aria-label': t('editor.review.show') }, [...filterButtons.values()]),
    cardButton, newSlot, error, empty, list);
  const count = h('span', { class: 'review-count' }, '0');
  const toggle = h('button', {
    type: 'button', class: 'review-toggle', 'aria-controls': 'review-panel',
  }, commentIcon(), h('span', { class: 'review-toggle-text' }, t('editor.review.title')), ' ', count);
  const back = h('button', { type: 'button', class: 'review-back', hidden: true, 'aria-keyshortcuts': 'Escape' },
    h('span', { 'aria-hidden': 'true' }, lang === 'ar' ? '→ ' : '← '), t('editor.review.back'));

  const narrow = globalThis.matchMedia?.(NARROW);
  let filter = 'open';
  let opened = false;
  let canComment = store.canComment;
  let backTo = null;
  let newBox = null;
  /** @type {Map<any, ThreadView>} */
  const views = new Map();
  let lastThreads = [];
  let lastInfo = () => ({});

  const isDrawer = () => !!narrow?.matches;
  const syncDrawer = () => {
    element.classList.toggle('is-drawer', isDrawer());
    element.classList.toggle('open', opened);
    if (isDrawer()) toggle.setAttribute('aria-expanded', String(opened));
    else toggle.removeAttribute('aria-expanded');
  };
  const open = ({ focus = true } = {}) => {
    opened = true;
    syncDrawer();
    if (focus) heading.focus();
  };
  const shut = ({ focusToggle = true } = {}) => {
    opened = false;
    syncDrawer();
    if (focusToggle && isDrawer()) toggle.focus();
  };
  toggle.addEventListener('click', () => {
    if (isDrawer() && opened) shut();
    else {
      open();
      heading.scrollIntoView?.({ block: 'nearest' });
    }
  });
  close.addEventListener('click', () => shut());
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && isDrawer() && opened && !event.defaultPrevented) {
      event.preventDefault();
      shut();
    }
  });
  // Into drawer mode, the drawer starts closed (the panel beside the form was always "open").
  const onMedia = () => {
    opened = false;
    syncDrawer();
  };
  narrow?.addEventListener?.('change', onMedia);

  const fail = (e) => { error.textContent = e?.message || t('editor.review.unreachable'); };
  const act = async (fn) => {
    error.textContent = '';
    try {
      await fn();
      return true;
    } catch (e) {
      fail(e);
      return false;
    }
  };

  class ThreadView {
    constructor(id) {
      this.id = id;
      this.thread = null;
      this.replyBox = null;
      this.editing = null; // {commentId, box}
      this.confirming = null; // comment id
      this.jump = h('button', { type: 'button', class: 'thread-jump' });
      this.note = h('p', { class: 'thread-detached-note' }, t('editor.review.text_deleted'));
      this.comments = h('ol', { class: 'comments' });
      this.resolved = h('p', { class: 'thread-resolved-by muted' });
      this.replyButton = h('button', { type: 'button', class: 'thread-reply' }, t('editor.review.reply'));
      this.resolveButton = h('button', { type: 'button', class: 'thread-resolve' });
      this.replySlot = h('div', { class: 'reply-slot' });
      this.article = h('article', { class: 'thread' }, this.jump, this.note, this.comments, this.resolved,
        h('div', { class: 'thread-actions' }, this.replyButton, this.resolveButton), this.replySlot);
      this.element = h('li', { class: 'review-thread', dataset: { threadId: String(id) } }, this.article);
      this.jump.addEventListener('click', () => onJump(this.thread));
      this.replyButton.addEventListener('click', () => this.openReply());
      this.resolveButton.addEventListener('click', async () => {
        const resolved = this.thread.status === 'resolved';
        const ok = await act(() => (resolved ? store.reopen(this.id) : store.resolve(this.id)));
        // The thread moves to the other filter: say so, and keep focus in the panel.
        if (ok) heading.focus();
      });
    }

    openReply() {
      if (!this.replyBox) {
        this.replyBox = composer({
          t, label: t('editor.review.reply_label'), submitLabel: t('editor.review.send_reply'),
          members: () => store.mentionable(),
          onSubmit: async (body) => {
            await store.reply(this.id, body);
            this.closeReply();
          },
          onCancel: () => this.closeReply(),
        });
        this.replySlot.replaceChildren(this.replyBox.element);
      }
      this.replyButton.hidden = true;
      this.replyBox.focus();
    }

    closeReply() {
      this.replyBox = null;
      this.replySlot.replaceChildren();
      this.replyButton.hidden = !(this.thread?.can.reply && canComment && this.thread?.status !== 'resolved');
      if (!this.replyButton.hidden) this.replyButton.focus();
      else this.jump.focus();
    }

    commentItem(comment) {
      const own = comment.mine && canComment && !comment.deleted;
      const item = h('li', { class: `comment${comment.deleted ? ' is-deleted' : ''}`, dataset: { commentId: String(comment.id) } },
        h('div', { class: 'comment-meta' }, person(comment.author, 'comment-author', lang), ' ',
          timeOf(comment.created_at, format),
          comment.edited_at && !comment.deleted ? h('span', { class: 'muted comment-edited' }, ` (${t('editor.review.edited')})`) : null));
      if (this.editing?.commentId === comment.id && !comment.deleted) {
        item.append(this.editing.box.element);
        return item;
      }
      const body = h('div', { class: 'comment-body', dir: 'auto' });
      if (comment.deleted) body.textContent = t('editor.review.deleted');
      else {
        body.innerHTML = comment.html ?? ''; // sanitised by the server; never `body`
        body.setAttribute('translate', 'no'); // what a person wrote
      }
      item.append(body);
      if (own && this.confirming === comment.id) {
        const yes = h('button', { type: 'button', class: 'confirm-delete danger' }, t('editor.review.delete_yes'));
        const no = h('button', { type: 'button', class: 'confirm-keep' }, t('editor.review.delete_no'));
        const question = h('div', { class: 'comment-confirm', role: 'group', 'aria-label': t('editor.review.delete_question') },
          h('span', {}, t('editor.review.delete_question')), ' ', yes, ' ', no);
        yes.addEventListener('click', async () => {
          this.confirming = null;
          if (!(await act(() => store.remove(comment.id)))) this.render();
          this.jump.focus();
        });
        const keep = () => {
          this.confirming = null;
          this.render();
          this.comments.querySelector(`[data-comment-id="${comment.id}"] .comment-delete`)?.focus();
        };
        no.addEventListener('click', keep);
        question.addEventListener('keydown', (event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            event.stopPropagation();
            keep();
          }
        });
        item.append(question);
      } else if (own) {
        const edit = h('button', { type: 'button', class: 'comment-edit' }, t('editor.review.edit'));
        const remove = h('button', { type: 'button', class: 'comment-delete' }, t('editor.review.delete'));
        edit.addEventListener('click', () => this.edit(comment));
        remove.addEventListener('click', () => {
          this.confirming = comment.id;
          this.render();
          this.comments.querySelector(`[data-comment-id="${comment.id}"] .confirm-keep`)?.focus();
        });
        item.append(h('div', { class: 'comment-actions' }, edit, remove));
      }
      return item;
    }

    edit(comment) {
      const done = () => {
        this.editing = null;
        this.render();
        this.comments.querySelector(`[data-comment-id="${comment.id}"] .comment-edit`)?.focus();
      };
      const box = composer({
        t, label: t('editor.review.edit_label'), submitLabel: t('editor.review.save'), initial: comment.body ?? '',
        members: () => store.mentionable(),
        onSubmit: async (body) => {
          await store.edit(comment.id, body);
          done();
        },
        onCancel: done,
      });
      this.editing = { commentId: comment.id, box };
      this.render();
      box.focus();
    }

    update(thread, info) {
      const changed = thread !== this.thread || info.key !== this.infoKey;
      this.thread = thread;
      this.info = info;
      this.infoKey = info.key;
      if (changed) this.render();
    }

    render() {
      const { thread, info } = this;
      const focused = this.comments.contains(document.activeElement) ? document.activeElement : null;
      const refocus = focused && focused.closest('[data-comment-id]')
        ? [focused.closest('[data-comment-id]').dataset.commentId, focused.className] : null;
      const detached = info.detached;
      this.element.dataset.status = thread.status;
      this.element.classList.toggle('is-detached', detached);
      this.element.classList.toggle('is-active', !!info.active);
      const first = thread.comments[0];
      this.article.setAttribute('aria-label', t('editor.review.thread_label', { name: first?.author?.name ?? thread.created_by?.name ?? '?', where: info.where }));
      this.jump.replaceChildren(h('span', { class: 'thread-where' }, info.where),
        // The quote is its own <bdi>, quotation marks included, so they sit on the right sides.
        ...(thread.quote ? [' ', h('bdi', { class: 'thread-quote quoted', translate: 'no' }, thread.quote)] : []));
      this.jump.disabled = thread.kind === 'card';
      this.jump.title = thread.kind === 'card' ? '' : t('editor.review.go_to');
      this.note.hidden = !detached;
      this.comments.replaceChildren(...thread.comments.map((c) => this.commentItem(c)));
      if (thread.status === 'resolved') {
        this.resolved.hidden = false;
        this.resolved.replaceChildren(t('editor.review.resolved_by'), ' ', person(thread.resolved_by, 'resolver', lang) ?? '—', ' ',
          timeOf(thread.resolved_at, format) ?? '');
      } else {
        this.resolved.hidden = true;
      }
      const replyable = thread.can.reply && canComment && thread.status !== 'resolved';
      this.replyButton.hidden = !replyable || !!this.replyBox;
      if (!replyable && this.replyBox) {
        this.replyBox = null;
        this.replySlot.replaceChildren();
      }
      this.resolveButton.hidden = !(thread.can.resolve && canComment);
      this.resolveButton.textContent = t(thread.status === 'resolved' ? 'editor.review.reopen' : 'editor.review.resolve');
      if (refocus) {
        const [commentId, cls] = refocus;
        const again = [...this.comments.querySelectorAll(`[data-comment-id="${commentId}"] button`)].find((b) => b.className === cls);
        (again ?? this.jump).focus();
      }
    }
  }

  const filterOfView = (thread, info) => (thread.status === 'resolved' ? 'resolved' : info.detached ? 'detached' : 'open');

  /**
   * Show `threads` (in document order) with what the page knows of each.
   * @param {object[]} threads
   * @param {(thread: object) => {where: string, detached: boolean, active: boolean, key: string}} infoOf
   * @param {{open: number, resolved: number, detached: number, unresolved: number}} counts
   */
  const render = (threads, infoOf, counts) => {
    lastThreads = threads;
    lastInfo = infoOf;
    const seen = new Set();
    const shown = [];
    for (const thread of threads) {
      const info = infoOf(thread);
      seen.add(thread.id);
      let view = views.get(thread.id);
      if (!view) {
        view = new ThreadView(thread.id);
        views.set(thread.id, view);
      }
      view.update(thread, info);
      if (filterOfView(thread, info) === filter) shown.push(view.element);
    }
    for (const [id, view] of views) {
      if (!seen.has(id)) {
        view.element.remove();
        views.delete(id);
      }
    }
    // Move only what is out of place: moving the element holding the focus would blur it.
    shown.forEach((el, i) => {
      if (list.children[i] !== el) list.insertBefore(el, list.children[i] ?? null);
    });
    while (list.children.length > shown.length) list.lastElementChild.remove();
    for (const [f, button] of filterButtons) {
      button.replaceChildren(t(`editor.review.filter_${f}`), ' ', h('span', { class: 'filter-count' }, String(counts[f])));
      button.setAttribute('aria-pressed', String(f === filter));
    }
    empty.hidden = shown.length > 0;
    empty.textContent = t(`editor.review.empty_${filter}`);
    count.textContent = String(counts.unresolved);
    toggle.setAttribute('aria-label', t('editor.review.toggle', { n: counts.unresolved }));
    toggle.dataset.count = String(counts.unresolved);
    cardButton.hidden = !canComment;
  };
  const again = () => render(lastThreads, lastInfo, lastCounts);
  let lastCounts = { open: 0, resolved: 0, detached: 0, unresolved: 0 };

  for (const [f, button] of filterButtons) {
    button.addEventListener('click', () => {
      filter = f;
      again();
    });
  }
  cardButton.addEventListener('click', () => onCardComment());

  syncDrawer();
  const api = {
    element,
    toggle,
    back,
    render(threads, infoOf, counts) {
      lastCounts = counts;
      render(threads, infoOf, counts);
    },
    get filter() { return filter; },
    setFilter(f) {
      filter = f;
      again();
    },
    setCanComment(value) {
      canComment = value;
      for (const view of views.values()) if (view.thread) view.render();
      again();
    },
    showError: fail,
    isDrawer,
    open,
    shut,
    /** The new-comment box at the top of the panel, about `context` (nodes: where and quote). */
    compose({ context, onSubmit, onCancel }) {
      newBox = composer({
        t, label: t('editor.review.new_label'), submitLabel: t('editor.review.submit'),
        members: () => store.mentionable(),
        onSubmit: async (body) => {
          await onSubmit(body);
          newSlot.replaceChildren();
          newBox = null;
        },
        onCancel: () => {
          newSlot.replaceChildren();
          newBox = null;
          onCancel();
        },
      });
      newSlot.replaceChildren(h('div', { class: 'review-new-context' }, context), newBox.element);
      open({ focus: false });
      newSlot.scrollIntoView?.({ block: 'nearest' });
      newBox.focus();
    },
    get composing() { return newBox !== null; },
    /** Show the thread in the list (its filter selected) and, with `focus`, move there. */
    reveal(id, { focus = true } = {}) {
      const view = views.get(id);
      if (!view) return;
      const f = filterOfView(view.thread, view.info);
      if (f !== filter) {
        filter = f;
        again();
      }
      if (isDrawer() && focus) open({ focus: false });
      view.element.scrollIntoView?.({ block: 'nearest' });
      if (focus) view.jump.disabled ? view.article.querySelector('button:not([hidden])')?.focus() : view.jump.focus();
    },
    /** After a jump to the text: offer the way back to the thread. */
    offerBack(id) {
      backTo = id;
      back.hidden = false;
    },
    goBack() {
      if (backTo == null) return false;
      const id = backTo;
      backTo = null;
      back.hidden = true;
      this.reveal(id);
      return true;
    },
    dropBack() {
      backTo = null;
      back.hidden = true;
    },
    get backTo() { return backTo; },
    destroy() {
      narrow?.removeEventListener?.('change', onMedia);
      element.remove();
      toggle.remove();
      back.remove();
    },
  };
  back.addEventListener('click', () => api.goBack());
  return api;
}
