/**
 * Builds the card form from the template: one shell per document field, one widget per field
 * type (the registry below). Fields with `source: "card"` are card metadata kept in the
 * database and shown in the page header, not in the document.
 */
import { h } from './dom.js';
import { fieldShell } from './fields/shell.js';
import { textField } from './fields/text.js';
import { richTextField } from './fields/rich-text.js';
import { tableField } from './fields/table.js';
import { multiChoiceField } from './fields/multi-choice.js';
import { scalarField } from './fields/scalar.js';

/** Field type -> widget factory `(field, context) => {element, setEditable, destroy}`. */
export const WIDGETS = {
  text: textField,
  rich_text: richTextField,
  table: tableField,
  multi_choice: multiChoiceField,
  choice: scalarField,
  month: scalarField,
  date: scalarField,
  organisation: scalarField,
};

export function documentFields(template) {
  return template.fields.filter((field) => (field.source ?? 'document') === 'document');
}

/**
 * @param {object} template the card template (schemas/templates/*.json)
 * @param {object} context {doc, t, provider, awareness, user, dir, richTextExtensions?}: the last,
 *   `(field) => Extension[]`, adds to each rich-text editor (the review highlights)
 * @returns {{element: HTMLElement, shells: Map<string, any>, setEditable: (b: boolean) => void, destroy: () => void}}
 */
export function buildForm(template, context) {
  const element = h('form', { class: 'card-form', novalidate: true, onsubmit: (event) => event.preventDefault() });
  const widgets = [];
  const shells = new Map();
  for (const field of documentFields(template)) {
    const factory = WIDGETS[field.type];
    if (!factory) throw new Error(`No editor widget for field type "${field.type}" (field "${field.id}")`);
    const shell = fieldShell(field, context.t);
    const widget = factory(field, { ...context, labelId: shell.labelId, helpId: shell.helpId });
    shell.mount(widget.element);
    element.append(shell.element);
    widgets.push(widget);
    shells.set(field.id, { field, ...shell, widget });
  }
  return {
    element,
    shells,
    widgets,
    setEditable(editable) {
      widgets.forEach((w) => w.setEditable(editable));
      element.classList.toggle('read-only', !editable);
    },
    destroy() { widgets.forEach((w) => w.destroy()); },
  };
}
