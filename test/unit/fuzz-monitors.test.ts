import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fc from 'fast-check';
import { compileText } from '../../src/config/load-file.js';
import { brokenYaml, monitorFile } from '../support/monitor-arbitraries.js';

const ENV = { HOME: '/home/x', PATH: '/bin' };

/** Every document is a monitor or has positioned diagnostics; nothing throws. */
function assertLoads(text: string): void {
  const loaded = compileText('fuzz.yaml', 'fuzz.yaml', text, ENV);
  for (const doc of loaded.documents) {
    assert.ok(doc.monitor !== undefined || doc.diagnostics.length > 0, 'a document is either a monitor or has diagnostics');
    for (const d of doc.diagnostics) {
      assert.ok(Number.isInteger(d.line) && d.line >= 1 && Number.isInteger(d.col) && d.col >= 1, JSON.stringify(d));
      assert.ok(d.message.length > 0 && !/\n\s+at /.test(d.message), d.message);
    }
  }
}

describe('the loader on generated monitor files', () => {
  it('compiles or explains every generated monitor file, never throwing', () => {
    fc.assert(fc.property(monitorFile, assertLoads), { numRuns: 400 });
  });

  it('explains every broken one, never throwing', () => {
    fc.assert(fc.property(brokenYaml, assertLoads), { numRuns: 400 });
  });

  it('loads every past crasher of the corpus with diagnostics, never throwing', () => {
    const dir = fileURLToPath(new URL('../fixtures/crashers/', import.meta.url));
    const files = readdirSync(dir).filter((name) => name.endsWith('.yaml'));
    assert.ok(files.length > 0);
    for (const name of files) {
      const loaded = compileText(name, name, readFileSync(path.join(dir, name), 'utf8'), ENV);
      assertLoads(readFileSync(path.join(dir, name), 'utf8'));
      assert.ok(loaded.documents.some((doc) => doc.diagnostics.length > 0), `${name} is refused`);
    }
  });
});
