import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { renderErrorsDoc } from '../src/docs/errors-doc.js';
import { errorCatalogue } from '../src/domain/errors.js';

test('docs/errors.md lists exactly the error catalogue (run `npm run docs:errors` after changing it)', () => {
  const doc = fs.readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  assert.equal(doc, renderErrorsDoc());
  for (const code of Object.keys(errorCatalogue)) assert.match(doc, new RegExp(`\\| \`${code}\` \\|`));
});
