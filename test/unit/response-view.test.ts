import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_JSON_DEPTH, responseView } from '../../src/core/response-view.js';

function jsonOf(text: string) {
  return responseView(200, { 'content-type': 'application/json' }, Buffer.from(text), 1).json();
}

/** `levels` arrays or objects inside each other, each behind siblings, so a walk must pass them to find the depth. */
function nested(levels: number, kind: 'array' | 'object'): string {
  let text = '1';
  for (let i = 0; i < levels; i++) text = kind === 'array' ? `[0, "x", ${text}]` : `{"a": 1, "b": ${text}}`;
  return text;
}

describe('the JSON a response view reads', () => {
  for (const kind of ['array', 'object'] as const) {
    it(`takes ${kind}s nested exactly ${MAX_JSON_DEPTH} levels deep and refuses one level more`, () => {
      assert.ok('value' in jsonOf(nested(MAX_JSON_DEPTH, kind)));
      assert.deepEqual(jsonOf(nested(MAX_JSON_DEPTH + 1, kind)), { error: `the body nests deeper than ${MAX_JSON_DEPTH} levels (stepwatch's bound for JSON answers)` });
    });
  }

  it('says why a body is not JSON', () => {
    const json = jsonOf('{"a": ');
    assert.ok('error' in json && json.error.startsWith('the body is not JSON ('));
  });
});
