/**
 * The frame around every field: its label and help in the interface language, the people
 * currently in it, and the widget. Labels and help come from the template (schemas/).
 */
import { h, uid } from '../dom.js';

/**
 * @returns {{element: HTMLElement, labelId: string, helpId: string, presence: HTMLElement,
 *   mount: (widget: HTMLElement) => void}}
 */
export function fieldShell(field, t) {
  const labelId = uid(`label-${field.id}`);
  const helpId = uid(`help-${field.id}`);
  const help = t.pick(field.help);
  const presence = h('ul', { class: 'field-presence', 'aria-label': t('editor.editing_here') });
  const element = h('section', { class: `field field-${field.type}`, dataset: { field: field.id }, id: `field-${field.id}` },
    h('div', { class: 'field-head' },
      h('h3', { class: 'field-label', id: labelId }, t.pick(field.label),
        field.required ? h('span', { class: 'required', title: t('editor.required') }, ' *',
          h('span', { class: 'visually-hidden' }, t('editor.required'))) : null),
      presence),
    help ? h('p', { class: 'field-help', id: helpId }, help) : null);
  return { element, labelId, helpId: help ? helpId : null, presence, mount: (widget) => element.append(widget) };
}

/** A live "n / max" character counter, announced only on demand (not on every keystroke). */
export function lengthCounter(max, t) {
  const element = h('span', { class: 'counter', id: uid('counter') });
  const update = (length) => {
    element.textContent = t('editor.length', { used: length, n: max });
    element.classList.toggle('over', length > max);
  };
  return { element, update };
}
