/**
 * The formatting toolbar of one rich-text field: bold, italic, underline, link, bulleted and
 * numbered lists. One tab stop (roving tabindex, arrow keys mirrored in right-to-left),
 * each button labelled with its shortcut and showing its state with aria-pressed.
 */
import { h, uid } from '../dom.js';

const MOD = /Mac|iPhone|iPad/.test(globalThis.navigator?.platform ?? '') ? 'Meta' : 'Control';
const MOD_LABEL = MOD === 'Meta' ? '⌘' : 'Ctrl';

/** A chain-link icon (no emoji font is assumed on the reader's machine). */
function linkIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const d of ['M10 14a5 5 0 0 0 7.07 0l3-3a5 5 0 0 0-7.07-7.07l-1.5 1.5', 'M14 10a5 5 0 0 0-7.07 0l-3 3a5 5 0 0 0 7.07 7.07l1.5-1.5']) {
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', d);
    path.setAttribute('fill', 'none');
    path.setAttribute('stroke', 'currentColor');
    path.setAttribute('stroke-width', '2');
    path.setAttribute('stroke-linecap', 'round');
    svg.append(path);
  }
  return svg;
}

const BUTTONS = [
  { name: 'bold', key: 'editor.bold', text: 'B', keys: 'B', run: (c) => c.toggleBold(), active: (e) => e.isActive('bold') },
  { name: 'italic', key: 'editor.italic', text: 'I', keys: 'I', run: (c) => c.toggleItalic(), active: (e) => e.isActive('italic') },
  { name: 'underline', key: 'editor.underline', text: 'U', keys: 'U', run: (c) => c.toggleUnderline(), active: (e) => e.isActive('underline') },
  { name: 'link', key: 'editor.link', icon: linkIcon, keys: 'K', active: (e) => e.isActive('link') },
  { name: 'bulletList', key: 'editor.bullet_list', text: '•', keys: 'Shift+8', run: (c) => c.toggleBulletList(), active: (e) => e.isActive('bulletList') },
  { name: 'orderedList', key: 'editor.ordered_list', text: '1.', keys: 'Shift+7', run: (c) => c.toggleOrderedList(), active: (e) => e.isActive('orderedList') },
];

/** Prefix a scheme when someone types "example.org"; keep mailto: and explicit schemes. */
export function normaliseUrl(raw) {
  const url = raw.trim();
  if (!url) return '';
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return url;
  if (url.includes('@') && !url.includes('/')) return `mailto:${url}`;
  return `https://${url}`;
}

function linkForm(editor, t, fieldLabel, close) {
  const inputId = uid('link-url');
  const input = h('input', { id: inputId, type: 'url', dir: 'ltr', placeholder: 'https://', autocomplete: 'url' });
  const apply = () => {
    const href = normaliseUrl(input.value);
    const chain = editor.chain().focus();
    if (!href) chain.extendMarkRange('link').unsetLink().run();
    else if (editor.state.selection.empty && !editor.isActive('link')) {
      chain.insertContent({ type: 'text', text: input.value.trim(), marks: [{ type: 'link', attrs: { href } }] }).run();
    } else chain.extendMarkRange('link').setLink({ href }).run();
    close();
  };
  const remove = () => {
    editor.chain().focus().extendMarkRange('link').unsetLink().run();
    close();
  };
  const cancel = () => {
    close();
    editor.commands.focus();
  };
  const form = h('div', { class: 'link-form', role: 'group', 'aria-label': t('editor.link_for', { field: fieldLabel }) },
    h('label', { for: inputId }, t('editor.link_url')), input,
    h('button', { type: 'button', onclick: apply }, t('editor.link_apply')),
    h('button', { type: 'button', onclick: remove }, t('editor.link_remove')),
    h('button', { type: 'button', onclick: cancel }, t('editor.cancel')));
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      apply();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      cancel();
    }
  });
  return {
    element: form,
    open() {
      input.value = editor.getAttributes('link').href || '';
      form.hidden = false;
      input.focus();
      input.select();
    },
  };
}

/**
 * @param {import('@tiptap/core').Editor} editor
 * @returns {{element: HTMLElement, openLink: () => void, setEditable: (b: boolean) => void, destroy: () => void}}
 */
export function toolbar(editor, { t, fieldLabel, editorId, dir }) {
  const buttons = [];
  let form = null;
  const close = () => { form.element.hidden = true; };
  form = linkForm(editor, t, fieldLabel, close);
  form.element.hidden = true;
  const openLink = () => {
    if (editor.isEditable) form.open();
  };
  for (const spec of BUTTONS) {
    const shortcut = `${MOD_LABEL}+${spec.keys}`;
    const button = h('button', {
      type: 'button', class: `tb-${spec.name}`, tabindex: buttons.length === 0 ? '0' : '-1',
      'aria-label': t(spec.key), title: `${t(spec.key)} (${shortcut})`,
      'aria-keyshortcuts': `${MOD}+${spec.keys}`, 'aria-pressed': 'false',
      'aria-controls': editorId,
    }, spec.icon ? spec.icon() : h('span', { 'aria-hidden': 'true' }, spec.text));
    // Keep the editor's selection: act on mousedown without moving focus.
    button.addEventListener('mousedown', (event) => event.preventDefault());
    button.addEventListener('click', () => {
      if (spec.name === 'link') openLink();
      else spec.run(editor.chain().focus()).run();
    });
    buttons.push({ spec, button });
  }
  const bar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': t('editor.toolbar', { field: fieldLabel }), 'aria-controls': editorId },
    buttons.map((b) => b.button));
  bar.addEventListener('keydown', (event) => {
    const index = buttons.findIndex((b) => b.button === document.activeElement);
    if (index < 0) return;
    const forward = dir === 'rtl' ? 'ArrowLeft' : 'ArrowRight';
    const back = dir === 'rtl' ? 'ArrowRight' : 'ArrowLeft';
    let next = null;
    if (event.key === forward) next = (index + 1) % buttons.length;
    else if (event.key === back) next = (index - 1 + buttons.length) % buttons.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = buttons.length - 1;
    if (next === null) return;
    event.preventDefault();
    buttons.forEach((b, i) => b.button.setAttribute('tabindex', i === next ? '0' : '-1'));
    buttons[next].button.focus();
  });
  const refresh = () => {
    for (const { spec, button } of buttons) button.setAttribute('aria-pressed', String(!!spec.active(editor)));
  };
  editor.on('transaction', refresh);
  editor.on('selectionUpdate', refresh);
  refresh();
  return {
    element: h('div', { class: 'toolbar-wrap' }, bar, form.element),
    openLink,
    setEditable(editable) {
      bar.hidden = !editable;
      for (const { button } of buttons) button.disabled = !editable;
      for (const control of form.element.querySelectorAll('input, button')) control.disabled = !editable;
      if (!editable) close();
    },
    destroy() {
      editor.off('transaction', refresh);
      editor.off('selectionUpdate', refresh);
    },
  };
}
