import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { renderJunit } from '../../src/report/junit-report.js';
import type { RunResult } from '../../src/core/results.js';

/** XML 1.0's Char production (section 2.2), and no '&' that does not start one of the five entities. */
function assertXmlText(xml: string): void {
  assert.match(xml, /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u, 'only characters XML 1.0 allows');
  assert.doesNotMatch(xml, /&(?!(?:lt|gt|amp|quot|apos);)/, 'every & starts an entity');
}

function resultWith(name: string, message: string): RunResult {
  return {
    monitor: 'm',
    passed: false,
    startedAt: 0,
    durationMs: 1,
    attempts: 1,
    steps: [{ name, status: 'failed', durationMs: 1, reason: 'assertion', message }],
  };
}

describe('the JUnit report', () => {
  it('replaces characters XML forbids (U+FFFF, U+FFFE, lone surrogates, controls) with U+FFFD', () => {
    const xml = renderJunit([resultWith('step \uFFFF\uD800', 'body \uFFFE\u0001\uDC00 <&>')]);
    assertXmlText(xml);
    assert.match(xml, /name="step \uFFFD\uFFFD"/);
    assert.match(xml, /message="body \uFFFD\uFFFD\uFFFD &lt;&amp;&gt;"/);
  });

  it('keeps characters outside the BMP that XML allows', () => {
    assert.match(renderJunit([resultWith('snow ☃ 😀', 'ok')]), /name="snow ☃ 😀"/);
  });

  it('is well-formed text for any step name and message', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }), (name, message) => {
        assertXmlText(renderJunit([resultWith(name, message)]));
      }),
      { numRuns: 2000 },
    );
  });
});
