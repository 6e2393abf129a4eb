// Assertions as the runner checks them: a subject read from a response, an operator, and the
// message a failure reads as. The operators' own edge cases are in operators.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkAssertion } from '../../src/assertions/evaluate.js';
import { looselyEqual, operators, operatorWords, toRegExp } from '../../src/assertions/operators.js';
import { responseView } from '../../src/core/response-view.js';
import type { Assertion } from '../../src/core/monitor.js';

const response = responseView(201, { 'content-type': 'application/json', 'x-request-id': 'req-9' }, Buffer.from(JSON.stringify({ id: 7, name: 'Ada', tags: ['a', 'b'], nothing: null })), 12.34567);
const check = (subject: Assertion['subject'], operator: Assertion['operator'], expected: unknown, property?: string) =>
  checkAssertion({ subject, operator, expected: null, ...(property !== undefined ? { property } : {}) }, expected, response);

describe('checking an assertion against a response', () => {
  it('passes silently, and reads each subject from the response', () => {
    assert.equal(check('status', 'equals', 201), undefined);
    assert.equal(check('latency', 'lessThan', 13), undefined);
    assert.equal(check('header', 'equals', 'req-9', 'X-Request-Id'), undefined, 'header names are case-insensitive');
    assert.equal(check('body', 'contains', '"name":"Ada"'), undefined);
    assert.equal(check('jsonpath', 'equals', 'Ada', '$.name'), undefined);
    assert.equal(check('jsonpath', 'equals', 'a', '$.tags[0]'), undefined, 'the first match is the value');
  });

  it('says what was expected of which subject, and what came', () => {
    assert.equal(check('status', 'equals', 200), 'expected status to equal 200, got 201');
    assert.equal(check('status', 'oneOf', [200, 204]), 'expected status to be one of [200,204], got 201');
    assert.equal(check('header', 'equals', 'other', 'x-request-id'), "expected header x-request-id to equal 'other', got 'req-9'");
    assert.equal(check('header', 'exists', true, 'x-missing'), 'expected header x-missing to exist: true, got nothing');
    assert.equal(check('jsonpath', 'greaterThan', 10, '$.id'), 'expected $.id to be greater than 10, got 7');
    assert.equal(check('jsonpath', 'notEquals', null, '$.nothing'), 'expected $.nothing to not equal null, got null');
    assert.equal(check('jsonpath', 'contains', 'c', '$.tags'), `expected $.tags to contain 'c', got ["a","b"]`);
    assert.equal(check('body', 'notContains', 'Ada'), `expected body to not contain 'Ada', got '${response.text()}'`);
    assert.equal(check('body', 'matches', '^x'), `expected body to match '^x', got '${response.text()}'`);
  });

  it('shows latency in milliseconds, rounded to the microsecond', () => {
    assert.equal(check('latency', 'lessThan', 10), 'expected latency to be less than 10ms, got 12.346ms');
    assert.equal(check('latency', 'equals', 12.346), undefined);
  });

  it('cuts a long value at 120 characters', () => {
    const long = 'x'.repeat(130);
    const message = check('header', 'equals', long, 'x-request-id') ?? '';
    assert.equal(message, `expected header x-request-id to equal '${long.slice(0, 119)}…, got 'req-9'`);
    const exact = 'y'.repeat(118);
    assert.equal(check('header', 'equals', exact, 'x-request-id'), `expected header x-request-id to equal '${exact}', got 'req-9'`, '120 characters with the quotes are shown whole');
  });

  it('fails a jsonpath assertion on a body that is not JSON, naming the path', () => {
    const html = responseView(200, { 'content-type': 'text/html' }, Buffer.from('<p>hi</p>'), 1);
    const message = checkAssertion({ subject: 'jsonpath', property: '$.id', operator: 'exists', expected: null }, true, html) ?? '';
    assert.match(message, /^\$\.id: /);
    assert.equal(checkAssertion({ subject: 'body', operator: 'contains', expected: null }, 'hi', html), undefined);
  });

  it('reads a jsonpath assertion without a path as the whole document, and a header without a name as absent', () => {
    assert.equal(checkAssertion({ subject: 'jsonpath', operator: 'contains', expected: null }, 'Ada', response), undefined);
    assert.equal(checkAssertion({ subject: 'jsonpath', operator: 'equals', expected: null }, 1, response)?.startsWith('expected $ to equal 1, got {'), true);
    assert.equal(checkAssertion({ subject: 'header', operator: 'exists', expected: null }, false, response), undefined);
    assert.equal(checkAssertion({ subject: 'header', operator: 'exists', expected: null }, true, response), 'expected header  to exist: true, got nothing');
  });
});

describe('an assertion past a bound, or that cannot be judged', () => {
  it('fails naming the JSONPath visit bound, for a path that would visit too many values of the answer', () => {
    let nested = '1';
    for (let i = 0; i < 500; i++) nested = `{"a":${nested}}`;
    const deep = responseView(200, { 'content-type': 'application/json' }, Buffer.from(nested), 1);
    const message = checkAssertion({ subject: 'jsonpath', property: '$..*..*..*', operator: 'exists', expected: null }, true, deep);
    assert.match(message ?? '', /^\$\.\.\*\.\.\*\.\.\*: JSONPath \$\.\.\*\.\.\*\.\.\* visits more than 1000000 values/);
  });

  it('fails naming the time bound it was given (the step\'s remaining budget), for a pattern that runs too long', () => {
    const slow = responseView(200, {}, Buffer.from(`${'a'.repeat(40)}!`), 1);
    const message = checkAssertion({ subject: 'body', operator: 'matches', expected: null }, '^(a+)+$', slow, { regexMs: 5 });
    assert.match(message ?? '', /^body: regex .* did not finish within 5 ms/);
  });

  it('fails a pattern rendered at run time that is not a regex, saying so', () => {
    assert.match(check('body', 'matches', '(unclosed') ?? '', /^body: not a valid regular expression: /);
  });

  it('lets any other fault through, for the runner to report as internal', () => {
    const broken = () => {
      throw new TypeError('hider broke');
    };
    assert.throws(() => checkAssertion({ subject: 'status', operator: 'equals', expected: null }, 200, response, undefined, broken), /hider broke/);
  });

  it('hides secrets in a bounded window of a long value only, then cuts it for the message', () => {
    const huge = responseView(200, {}, Buffer.from(`secret-${'x'.repeat(100_000)}`), 1);
    const seen: number[] = [];
    const hide = (text: string) => (seen.push(text.length), text.replaceAll('secret', '[redacted]'));
    const message = checkAssertion({ subject: 'body', operator: 'contains', expected: null }, 'absent', huge, undefined, hide) ?? '';
    assert.ok(message.endsWith(`got '[redacted]-${'x'.repeat(120 - '\'[redacted]-'.length)}…`), message.slice(-60));
    assert.ok(Math.max(...seen) <= 120 + 16_384, `a 100 KB body is not hidden whole (hide saw ${Math.max(...seen)} characters)`);
  });
});

describe('operators at their edges', () => {
  it('equals compares scalars by text and structures by JSON', () => {
    assert.equal(looselyEqual(true, 'true'), true);
    assert.equal(looselyEqual(null, 'null'), false, 'null is not a scalar');
    assert.equal(looselyEqual(null, null), true);
    assert.equal(looselyEqual([1, '2'], [1, '2']), true);
    assert.equal(looselyEqual([1, 2], [1, '2']), false);
    assert.equal(looselyEqual({ a: 1 }, '{"a":1}'), false);
    assert.equal(looselyEqual(undefined, 'undefined'), false);
  });

  it('contains looks for an equal item in a list and for text elsewhere', () => {
    assert.equal(operators.contains([1, 2], '2'), true);
    assert.equal(operators.contains(['ab'], 'a'), false, 'an item must equal, not contain');
    assert.equal(operators.contains({ a: 'xyz' }, 'xyz'), true, 'an object is searched as its JSON');
    assert.equal(operators.contains(1234, 23), true);
    assert.equal(operators.contains(null, 'null'), false);
    assert.equal(operators.notContains(null, 'x'), true);
    assert.equal(operators.contains(undefined, ''), false, 'a missing value contains nothing, not even the empty text');
    assert.equal(operators.notContains(undefined, ''), true);
  });

  it('matches reads /pattern/flags only when the whole value has that form', () => {
    assert.deepEqual([toRegExp('/a.c/s').source, toRegExp('/a.c/s').flags], ['a.c', 's']);
    assert.deepEqual([toRegExp('a/b').source, toRegExp('a/b').flags], ['a\\/b', '']);
    assert.deepEqual([toRegExp('/a/x').source, toRegExp('/a/x').flags], ['\\/a\\/x', ''], 'x is no flag');
    assert.deepEqual([toRegExp('//').source, toRegExp('//').flags], ['(?:)', '']);
    assert.equal(toRegExp('/line\nbreak/').test('line\nbreak'), true);
    assert.equal(operators.matches(undefined, '.*'), false);
    assert.equal(operators.matches(null, '^null$'), true, 'null is matched as its JSON');
    assert.equal(operators.matches({ a: 1 }, '"a":1'), true);
  });

  it('exists reads true and "true" as "present", anything else as "absent"', () => {
    assert.equal(operators.exists('x', 'true'), true);
    assert.equal(operators.exists('x', 'yes'), false);
    assert.equal(operators.exists(undefined, 'false'), true);
    assert.equal(operators.exists(0, true), true);
  });

  it('lessThan and greaterThan are strict, and refuse empty, missing and infinite values', () => {
    assert.equal(operators.lessThan(10, 10), false);
    assert.equal(operators.greaterThan(10, 10), false);
    assert.equal(operators.lessThan(9, 10), true);
    assert.equal(operators.greaterThan(11, '10'), true);
    assert.equal(operators.lessThan('', 1), false, 'an empty string is not 0');
    assert.equal(operators.lessThan(null, 1), false, 'null is not 0');
    assert.equal(operators.greaterThan(undefined, -1), false);
    assert.equal(operators.lessThan(1, 'abc'), false);
    assert.equal(operators.greaterThan(Infinity, 1), false);
    assert.equal(operators.lessThan(1, Infinity), false);
    assert.equal(operators.lessThan('0x10', 17), true, 'numeric text as JavaScript reads it');
  });

  it('oneOf needs a list', () => {
    assert.equal(operators.oneOf(1, 1), false);
    assert.equal(operators.oneOf('1', [1]), true);
    assert.equal(operators.oneOf(1, []), false);
  });

  it('every operator has the words a message reads with', () => {
    assert.deepEqual(Object.keys(operatorWords).sort(), Object.keys(operators).sort());
    assert.equal(new Set(Object.values(operatorWords)).size, Object.keys(operatorWords).length);
  });
});
