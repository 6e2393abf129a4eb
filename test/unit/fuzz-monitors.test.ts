import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fc from 'fast-check';
import { Catalog } from '../../src/config/catalog.js';
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

  // Through the loader the daemon uses, with its time budget: a crasher that is merely slow (a
  // quadratic check on a huge file) is refused for its time, the others with their own message.
  it('loads every past crasher of the corpus with diagnostics, never throwing', async () => {
    const dir = fileURLToPath(new URL('../fixtures/crashers/', import.meta.url));
    const files = readdirSync(dir).filter((name) => name.endsWith('.yaml'));
    assert.ok(files.length > 0);
    const catalog = new Catalog([dir], ENV, { loadTimeoutMs: 3_000 });
    await catalog.refresh();
    const refused = new Set(catalog.invalid().map((doc) => path.basename(doc.file)));
    assert.deepEqual([...refused].sort(), files.sort(), 'every crasher is refused');
    assert.equal(catalog.monitors().length, 0);
    for (const doc of catalog.invalid()) {
      for (const d of doc.diagnostics) {
        assert.ok(Number.isInteger(d.line) && d.line >= 1 && Number.isInteger(d.col) && d.col >= 1, JSON.stringify(d));
        assert.ok(d.message.length > 0 && !/\n\s+at /.test(d.message), d.message);
      }
    }
  });
});
