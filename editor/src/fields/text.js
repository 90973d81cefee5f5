/** A short text field (or a multi-line one) bound to the root Y.Text named after the field. */
import { h } from '../dom.js';
import { autosize, bindText } from './bind-text.js';
import { lengthCounter } from './shell.js';

export function textField(field, { doc, t, labelId, helpId }) {
  const ytext = doc.getText(field.id);
  const counter = field.max_length ? lengthCounter(field.max_length, t) : null;
  const describedBy = [helpId, counter?.element.id].filter(Boolean).join(' ') || null;
  const attrs = { id: `input-${field.id}`, dir: 'auto', 'aria-labelledby': labelId, 'aria-describedby': describedBy,
    'aria-required': field.required ? 'true' : null };
  const input = field.multiline ? h('textarea', { ...attrs, rows: 2 }) : h('input', { ...attrs, type: 'text' });
  const fit = field.multiline ? autosize(input) : () => {};
  const onChange = () => {
    counter?.update(ytext.length);
    fit();
  };
  const binding = bindText(input, ytext, { onChange });
  onChange();
  return {
    element: h('div', { class: 'text-widget' }, input, counter?.element),
    // Read-only, not disabled: the text stays selectable and focusable, to be commented on.
    setEditable(editable) { input.readOnly = !editable; },
    destroy() { binding.destroy(); },
  };
}
