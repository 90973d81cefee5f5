/**
 * When the server stops accepting this person's edits (their role removed, the card sent to
 * review), what they typed and had not had saved must not vanish: the page says so and offers
 * the card's text as they see it, to copy. The live document keeps their unsent changes
 * locally; this turns it into plain text, one labelled block per field.
 */
import * as Y from 'yjs';
import { h } from './dom.js';

function richText(node) {
  if (node instanceof Y.XmlText) {
    return node.toDelta().map((op) => (typeof op.insert === 'string' ? op.insert : '')).join('');
  }
  const parts = node.toArray().map(richText);
  const block = node instanceof Y.XmlElement && ['paragraph', 'listItem'].includes(node.nodeName);
  return parts.join(node instanceof Y.XmlFragment || !block ? '\n' : '') + (block ? '\n' : '');
}

function fieldText(doc, field) {
  switch (field.type) {
    case 'text':
      return doc.getText(field.id).toString();
    case 'rich_text':
      return richText(doc.getXmlFragment(field.id)).replace(/\n{2,}/g, '\n').trim();
    case 'table':
      return doc.getArray(field.id).toArray()
        .filter((row) => row instanceof Y.Map)
        .map((row) => field.columns.map((col) => String(row.get(col.id) ?? '')).join(' | '))
        .join('\n');
    case 'multi_choice': {
      const map = doc.getMap(field.id);
      return field.options.map((option) => {
        const entry = map.get(option.id);
        return entry instanceof Y.Map && entry.get('selected') ? `✓ ${option.id} ${String(entry.get('justification') ?? '')}` : '';
      }).filter(Boolean).join('\n');
    }
    default:
      return String(doc.getMap('values').get(field.id) ?? '');
  }
}

/** The card's text as this browser holds it, for the person to copy. */
export function cardText(doc, fields, t) {
  return fields
    .map((field) => [t.pick(field.label), fieldText(doc, field)])
    .filter(([, text]) => text.trim() !== '')
    .map(([label, text]) => `${label}\n${text}`)
    .join('\n\n');
}

/** A notice explaining why editing stopped, with the unsaved text to copy when there is some. */
export function stoppedNotice({ message, text, t }) {
  const notice = h('div', { class: 'notice notice-stopped', role: 'alert', id: 'read-only-reason' }, h('p', {}, message));
  if (text) {
    const area = h('textarea', { readonly: true, rows: 8, class: 'unsaved-copy', 'aria-label': t('editor.unsaved_copy') });
    area.value = text;
    const copied = h('span', { role: 'status', class: 'copied' });
    const copy = h('button', {
      type: 'button',
      onclick: async () => {
        area.select();
        try {
          await navigator.clipboard.writeText(text);
        } catch {
          document.execCommand?.('copy');
        }
        copied.textContent = t('editor.copied');
      },
    }, t('editor.copy'));
    notice.append(h('details', { open: true }, h('summary', {}, t('editor.unsaved_copy')), area, copy, copied));
  }
  return notice;
}
