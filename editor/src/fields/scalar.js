/**
 * Single-valued fields kept as keys of the root Y.Map "values": choice (a select), month,
 * date, and organisation (free text). Each change sets one key; the map resolves concurrent
 * choices, so there is nothing to merge inside a value.
 */
import { h } from '../dom.js';

const INPUT_TYPES = { month: 'month', date: 'date', organisation: 'text' };

/** A <select> for the options of a choice field or column, with an empty first choice. */
export function choiceSelect(options, t, attrs) {
  return h('select', attrs,
    h('option', { value: '' }, t('editor.choose')),
    options.map((option) => h('option', { value: option.id }, t.pick(option.label))));
}

/**
 * Bind a form control's value to `ymap.get(key)` (a plain string).
 * @returns {{destroy: () => void}}
 */
export function bindValue(control, ymap, key) {
  const origin = {};
  const show = () => {
    const value = ymap.get(key);
    const text = value == null ? '' : String(value);
    if (control.value !== text) control.value = text;
  };
  const onChange = () => {
    if ((ymap.get(key) ?? '') === control.value) return;
    ymap.doc.transact(() => ymap.set(key, control.value), origin);
  };
  const observer = (event, transaction) => {
    if (transaction.origin !== origin && event.keysChanged.has(key)) show();
  };
  show();
  control.addEventListener('change', onChange);
  ymap.observe(observer);
  return {
    destroy() {
      control.removeEventListener('change', onChange);
      ymap.unobserve(observer);
    },
  };
}

export function scalarField(field, { doc, t, labelId, helpId }) {
  const values = doc.getMap('values');
  const attrs = { id: `input-${field.id}`, 'aria-labelledby': labelId, 'aria-describedby': helpId,
    'aria-required': field.required ? 'true' : null };
  const control = field.type === 'choice'
    ? choiceSelect(field.options, t, attrs)
    : h('input', { ...attrs, type: INPUT_TYPES[field.type], dir: 'auto' });
  const binding = bindValue(control, values, field.id);
  return {
    element: h('div', { class: 'scalar-widget' }, control),
    setEditable(editable) { control.disabled = !editable; },
    destroy() { binding.destroy(); },
  };
}
