import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderSchema, SCHEMA_FILE } from '../../scripts/generate-schema.js';

describe('the committed JSON Schema for editors', () => {
  it('is what src/config/schema.ts generates (run npm run schema after changing it)', () => {
    assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), renderSchema());
  });
});
