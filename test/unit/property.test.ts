import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileText } from '../../src/config/load-file.js';
import { MissingValueError, parseTemplate, render } from '../../src/templating/template.js';

const yamlish = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.stringMatching(/^[a-z:{}[\]\-#&*!|>'"%@`,?\n <>.$0-9]{0,300}$/),
  fc.jsonValue({ maxDepth: 5 }).map((value) => JSON.stringify(value)),
  fc.record({
    name: fc.oneof(fc.string(), fc.constantFrom('ok', 'a-b', 'Bad')),
    schedule: fc.oneof(fc.string(), fc.constantFrom('* * * * *', '*/5 * * * * *', '61 * * * *')),
    steps: fc.array(fc.record({ name: fc.string(), request: fc.record({ url: fc.string(), method: fc.string() }) }, { requiredKeys: [] }), { maxLength: 3 }),
    timeout: fc.oneof(fc.string(), fc.integer()),
  }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
);

describe('the loader on arbitrary input', () => {
  it('never throws: every problem comes back as a positioned diagnostic', () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        const loaded = compileText('fuzz.yaml', 'fuzz.yaml', text, { PATH: '/bin' });
        for (const doc of loaded.documents) {
          assert.ok(doc.monitor !== undefined || doc.diagnostics.length > 0, 'a document is either a monitor or has diagnostics');
          for (const d of doc.diagnostics) {
            assert.ok(Number.isInteger(d.line) && d.line >= 1 && Number.isInteger(d.col) && d.col >= 1, JSON.stringify(d));
            assert.ok(d.message.length > 0);
          }
        }
      }),
      { numRuns: 600 },
    );
  });
});

describe('the template renderer on arbitrary input', () => {
  it('parses anything, and renders or reports a missing value, nothing else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 })), (text, values) => {
        const { template } = parseTemplate(text);
        try {
          render(template, (ref) => values[ref.name]);
        } catch (error) {
          assert.ok(error instanceof MissingValueError, String(error));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves text without templates unchanged and inserts values verbatim', () => {
    fc.assert(
      fc.property(fc.string().filter((s) => !s.includes('<<')), fc.string(), (text, value) => {
        const { template } = parseTemplate(`${text}<<custom.x>>${text}`);
        assert.equal(render(template, () => value), `${text}${value}${text}`);
      }),
    );
  });
});
