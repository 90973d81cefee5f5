/**
 * A rich-text field: Tiptap bound to the root Y.XmlFragment named after the field, with
 * remote carets and selections (CollaborationCaret over the provider's awareness).
 *
 * Marks and nodes are limited to what the card template allows: bold, italic, underline,
 * links, bulleted and numbered lists. Tiptap's own history is off (Collaboration brings an
 * undo that only undoes one's own changes). Every block gets dir="auto" when rendered, so
 * Arabic and French paragraphs in one field each read in their own direction; the
 * attribute is presentation only and never enters the document.
 *
 * Known limitation of the binding (@tiptap/y-tiptap 3.0.9): it maps editor blocks onto Yjs
 * elements by content, so if one person's new empty paragraph sits right where another
 * person presses Enter, both new paragraphs are taken for the same one and the two people
 * type into it together (nothing is lost or duplicated; the text interleaves).
 */
import { Editor, Extension } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';
import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import { h } from '../dom.js';
import { lengthCounter } from './shell.js';
import { toolbar } from './toolbar.js';

const AUTO = { HTMLAttributes: { dir: 'auto' } };

function caret(user) {
  const colour = /^#[0-9a-f]{6}$/i.test(user.color || '') ? user.color : '#5b6775';
  return h('span', { class: 'collab-caret', style: `border-color: ${colour}` },
    h('span', { class: 'collab-caret-label', style: `background-color: ${colour}`, dir: 'auto' }, user.name || ''));
}

export function richTextField(field, { doc, t, labelId, helpId, provider, user, dir, richTextExtensions }) {
  const mount = h('div', { class: 'rich-text-mount' });
  const counter = field.max_length ? lengthCounter(field.max_length, t) : null;
  const editorId = `input-${field.id}`;
  let bar = null;
  const shortcuts = Extension.create({
    name: 'iltizamShortcuts',
    addKeyboardShortcuts: () => ({ 'Mod-k': () => { bar?.openLink(); return true; } }),
  });
  const editor = new Editor({
    element: mount,
    editable: false,
    extensions: [
      StarterKit.configure({
        undoRedo: false, blockquote: false, code: false, codeBlock: false, heading: false,
        horizontalRule: false, strike: false, hardBreak: false, trailingNode: false,
        paragraph: AUTO, bulletList: AUTO, orderedList: AUTO, listItem: AUTO,
        link: { openOnClick: false, autolink: true, defaultProtocol: 'https',
          HTMLAttributes: { rel: 'noopener noreferrer nofollow', target: '_blank' } },
      }),
      Collaboration.configure({ fragment: doc.getXmlFragment(field.id) }),
      CollaborationCaret.configure({ provider, user: { name: user.name, color: user.color }, render: caret }),
      shortcuts,
      ...(richTextExtensions?.(field) ?? []),
    ],
    editorProps: {
      attributes: {
        // Focusable when read-only too: reviewers reach the text from the keyboard to comment on it.
        id: editorId, class: 'rich-text', role: 'textbox', 'aria-multiline': 'true', tabindex: '0',
        'aria-labelledby': labelId, ...(helpId || counter ? { 'aria-describedby': [helpId, counter?.element.id].filter(Boolean).join(' ') } : {}),
        ...(field.required ? { 'aria-required': 'true' } : {}),
      },
    },
  });
  bar = toolbar(editor, { t, fieldLabel: t.pick(field.label), editorId, dir });
  const count = () => counter?.update(editor.state.doc.textContent.length);
  editor.on('update', count);
  count();
  return {
    editor,
    element: h('div', { class: 'rich-text-widget' }, bar.element, mount, counter?.element),
    setEditable(editable) {
      editor.setEditable(editable, false);
      mount.firstElementChild?.setAttribute('aria-readonly', String(!editable));
      bar.setEditable(editable);
    },
    destroy() {
      bar.destroy();
      editor.destroy();
    },
  };
}
