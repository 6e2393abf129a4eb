import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { operators } from '../../src/assertions/operators.js';
import { parseDuration } from '../../src/core/duration.js';

describe('assertion operators', () => {
  it('compare YAML values with JSON values by their text', () => {
    assert.ok(operators.equals(3600, '3600'));
    assert.ok(operators.equals('Bearer', 'Bearer'));
    assert.ok(!operators.equals('bearer', 'Bearer'));
    assert.ok(operators.equals({ a: [1] }, { a: [1] }));
    assert.ok(operators.notEquals(1, 2));
  });

  it('contains works on strings and lists', () => {
    assert.ok(operators.contains('application/json; charset=utf-8', 'application/json'));
    assert.ok(operators.contains(['a', 'b'], 'b'));
    assert.ok(!operators.contains(undefined, 'x'));
    assert.ok(operators.notContains('abc', 'z'));
  });

  it('matches takes a plain pattern or the /.../flags form', () => {
    assert.ok(operators.matches('Bearer', '^Bear'));
    assert.ok(operators.matches('BEARER', '/^bearer$/i'));
    assert.ok(!operators.matches('BEARER', '^bearer$'));
  });

  it('exists tells present from absent, null counting as present', () => {
    assert.ok(operators.exists(null, true));
    assert.ok(operators.exists(undefined, false));
    assert.ok(!operators.exists(0, false));
  });

  it('lessThan and greaterThan compare numbers and fail on non-numbers', () => {
    assert.ok(operators.lessThan(5, 10));
    assert.ok(operators.greaterThan('11', 10));
    assert.ok(!operators.greaterThan('abc', 1));
    assert.ok(!operators.lessThan(undefined, 1));
  });

  it('oneOf accepts any listed value', () => {
    assert.ok(operators.oneOf(204, [200, 204]));
    assert.ok(!operators.oneOf(500, [200, 204]));
  });
});

describe('durations', () => {
  it('read the contract forms into milliseconds', () => {
    assert.deepEqual(['250ms', '1.5s', '2m', '1h', 800].map(parseDuration), [250, 1500, 120_000, 3_600_000, 800]);
    assert.equal(parseDuration('5 seconds'), undefined);
    assert.equal(parseDuration(-1), undefined);
  });
});
