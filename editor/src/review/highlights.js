/**
 * Comment ranges shown in a rich-text field: ProseMirror decorations, never marks, so nothing
 * about comments enters the document or anyone's undo history.
 *
 * The plugin asks its `source` for the field's anchored threads and resolves each anchor
 * against the live Yjs document through y-tiptap's mapping. It does so on every transaction
 * but one: while a local edit is being applied, ProseMirror is ahead of Yjs (the binding writes
 * the edit into Yjs only after the new state is in place), so the previous highlights are
 * mapped through the edit instead; both ways give the same ranges. `refresh(editor)` makes it
 * ask its source again (threads came or went, another one became active).
 */
import { Extension } from '@tiptap/core';
import { Plugin, PluginKey } from '@tiptap/pm/state';
import { Decoration, DecorationSet } from '@tiptap/pm/view';
import { ySyncPluginKey } from '@tiptap/y-tiptap';
import { resolveRich } from './anchors.js';

export const reviewHighlightsKey = new PluginKey('reviewHighlights');

/** The binding's view of the field: its Yjs root and the mapping to ProseMirror nodes. */
export function bindingOf(state) {
  const ystate = ySyncPluginKey.getState(state);
  if (!ystate || !ystate.binding || !ystate.type) return null;
  return { fragment: ystate.type, mapping: ystate.binding.mapping };
}

function build(state, source) {
  const binding = bindingOf(state);
  if (!binding) return DecorationSet.empty;
  const size = state.doc.content.size;
  const decorations = [];
  for (const { id, anchor, active, draft } of source()) {
    let range = null;
    try {
      range = resolveRich(binding.fragment, binding.mapping, anchor);
    } catch {
      range = null; // an anchor from another document state: nothing to show
    }
    if (!range || range.from >= range.to || range.to > size) continue;
    const classes = ['review-highlight', active ? 'is-active' : '', draft ? 'is-draft' : ''].filter(Boolean).join(' ');
    decorations.push(Decoration.inline(range.from, range.to, { class: classes, 'data-thread': draft ? 'draft' : String(id) }));
  }
  return DecorationSet.create(state.doc, decorations);
}

/**
 * @param {() => Array<{id: any, anchor: object, active?: boolean, draft?: boolean}>} source
 *   the field's ranges to show, asked on every refresh and remote change
 */
export function reviewHighlights(source) {
  return Extension.create({
    name: 'reviewHighlights',
    addProseMirrorPlugins() {
      return [new Plugin({
        key: reviewHighlightsKey,
        state: {
          init: (_, state) => build(state, source),
          apply(tr, previous, oldState, newState) {
            const remote = ySyncPluginKey.getState(newState)?.isChangeOrigin === true;
            if (tr.docChanged && !remote && !tr.getMeta(reviewHighlightsKey)) return previous.map(tr.mapping, tr.doc);
            return build(newState, source);
          },
        },
        props: { decorations: (state) => reviewHighlightsKey.getState(state) },
      })];
    },
  });
}

/** Show the source's current ranges now. */
export function refresh(editor) {
  if (editor.isDestroyed) return;
  editor.view.dispatch(editor.state.tr.setMeta(reviewHighlightsKey, true).setMeta('addToHistory', false));
}
