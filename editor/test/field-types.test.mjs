// Every field type the template meta-schema allows has an editor widget, so a template that
// uses any of them renders without code changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { WIDGETS } from '../src/form.js';

const meta = JSON.parse(readFileSync(new URL('../../schemas/meta/template.schema.json', import.meta.url)));

test('every field type of the meta-schema has a widget', () => {
  const types = meta.$defs.field.properties.type.enum;
  const missing = types.filter((type) => typeof WIDGETS[type] !== 'function');
  assert.deepEqual(missing, []);
});
