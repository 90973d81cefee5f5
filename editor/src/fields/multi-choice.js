/**
 * Multiple choice with a justification for each option: root Y.Map option id ->
 * Y.Map {selected: bool, justification: Y.Text}, all seeded by the server.
 */
import { h, uid } from '../dom.js';
import { autosize, bindText } from './bind-text.js';

function optionRow(option, entry, t, justified) {
  const boxId = uid(`opt-${option.id}`);
  const justId = uid(`just-${option.id}`);
  const origin = {};
  const box = h('input', { type: 'checkbox', id: boxId });
  const bindings = [];
  let textarea = null;
  let justBlock = null;
  let fit = () => {};
  if (justified && entry.get('justification')) {
    textarea = h('textarea', { id: justId, dir: 'auto', rows: 2 });
    fit = autosize(textarea);
    bindings.push(bindText(textarea, entry.get('justification'), { onChange: () => { fit(); show(); } }));
    justBlock = h('div', { class: 'justification' },
      h('label', { for: justId }, t('editor.justification', { option: t.pick(option.label) })), textarea);
  }
  const show = () => {
    const selected = entry.get('selected') === true;
    box.checked = selected;
    const text = entry.get('justification');
    if (justBlock) justBlock.hidden = !selected && !(text && text.length);
  };
  const onChange = () => {
    entry.doc.transact(() => entry.set('selected', box.checked), origin);
    show();
    if (box.checked && textarea && !textarea.disabled) textarea.focus();
  };
  const observer = (event, transaction) => {
    if (transaction.origin !== origin && event.keysChanged.has('selected')) show();
  };
  box.addEventListener('change', onChange);
  entry.observe(observer);
  show();
  return {
    element: h('div', { class: 'choice' }, h('div', { class: 'choice-box' }, box, h('label', { for: boxId }, t.pick(option.label))), justBlock),
    setEditable(editable) {
      box.disabled = !editable;
      if (textarea) textarea.disabled = !editable;
    },
    destroy() {
      box.removeEventListener('change', onChange);
      entry.unobserve(observer);
      bindings.forEach((b) => b.destroy());
    },
  };
}

export function multiChoiceField(field, { doc, t, labelId, helpId }) {
  const root = doc.getMap(field.id);
  const rows = [];
  for (const option of field.options) {
    const entry = root.get(option.id);
    if (entry && typeof entry.get === 'function') rows.push(optionRow(option, entry, t, field.justified !== false));
  }
  return {
    element: h('div', { class: 'multi-choice', role: 'group', 'aria-labelledby': labelId, 'aria-describedby': helpId },
      rows.map((r) => r.element)),
    setEditable(editable) { rows.forEach((r) => r.setEditable(editable)); },
    destroy() { rows.forEach((r) => r.destroy()); },
  };
}
