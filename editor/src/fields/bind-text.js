/**
 * Two-way binding of an <input> or <textarea> to a Y.Text.
 *
 * Local typing becomes the minimal delete + insert against what the element showed before
 * (so a concurrent remote edit elsewhere in the text is never overwritten); remote changes
 * update the element and carry the caret and selection through them. While an input method
 * is composing, remote changes are held and merged when composition ends.
 */
import { diffStrings, transformPosition } from '../collab/text-diff.js';

/**
 * @param {HTMLInputElement|HTMLTextAreaElement} el
 * @param {import('yjs').Text} ytext
 * @param {{onChange?: () => void}} [options] called after every change, local or remote
 * @returns {{destroy: () => void}}
 */
export function bindText(el, ytext, { onChange = () => {} } = {}) {
  const binding = {};
  let shown = ytext.toString(); // what the element showed after the last sync with ytext
  let composing = false;
  let heldDeltas = [];
  el.value = shown;

  const render = (deltas) => {
    const value = ytext.toString();
    if (el.value === value) {
      shown = value;
      return;
    }
    const focused = el.ownerDocument.activeElement === el;
    let { selectionStart: start, selectionEnd: end } = el;
    const direction = el.selectionDirection;
    for (const delta of deltas) {
      start = transformPosition(start, delta);
      end = transformPosition(end, delta);
    }
    el.value = value;
    shown = value;
    if (focused) el.setSelectionRange(start, end, direction);
    onChange();
  };

  const onInput = () => {
    if (composing) return;
    const caret = el.selectionStart === el.selectionEnd ? el.selectionEnd : null;
    const change = diffStrings(shown, el.value, caret);
    let index = change.index;
    for (const delta of heldDeltas) index = transformPosition(index, delta);
    const deltas = heldDeltas;
    heldDeltas = [];
    ytext.doc.transact(() => {
      if (change.remove > 0) ytext.delete(index, change.remove);
      if (change.insert) ytext.insert(index, change.insert);
    }, binding);
    shown = el.value;
    if (deltas.length) render(deltas);
    onChange();
  };

  const observer = (event, transaction) => {
    if (transaction.origin === binding) return;
    if (composing) {
      heldDeltas.push(event.delta);
      return;
    }
    render([event.delta]);
  };
  const onCompositionStart = () => { composing = true; };
  const onCompositionEnd = () => {
    composing = false;
    onInput();
  };

  el.addEventListener('input', onInput);
  el.addEventListener('compositionstart', onCompositionStart);
  el.addEventListener('compositionend', onCompositionEnd);
  ytext.observe(observer);
  return {
    destroy() {
      el.removeEventListener('input', onInput);
      el.removeEventListener('compositionstart', onCompositionStart);
      el.removeEventListener('compositionend', onCompositionEnd);
      ytext.unobserve(observer);
    },
  };
}

/** Grow a textarea with its content (one to twelve lines). */
export function autosize(textarea) {
  const fit = () => {
    textarea.style.height = 'auto';
    textarea.style.height = `${Math.min(textarea.scrollHeight + 2, 320)}px`;
  };
  textarea.addEventListener('input', fit);
  queueMicrotask(fit);
  return fit;
}
