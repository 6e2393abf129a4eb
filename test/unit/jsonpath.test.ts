import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JSONPath } from 'jsonpath-plus';
import { JsonPathBudgetError, MAX_JSONPATH_LENGTH, jsonPathProblem, parseJsonPath, queryJsonPath } from '../../src/extraction/jsonpath.js';

const doc = { items: [{ id: 'a', tags: ['x', 'y'] }, { id: 'b' }, { id: 'c', deep: { id: 'd' } }], count: 3, 'content-type': 'json', 'a.b': 1 };

describe('JSONPath evaluation', () => {
  const cases: Array<[string, unknown[]]> = [
    ['$', [doc]],
    ['$.count', [3]],
    ['$.items[0].id', ['a']],
    ['$.items[-1].id', ['c']],
    ['$.items.length', [3]],
    ['$.items[0].id.length', [1]],
    ['$.items[0:2].id', ['a', 'b']],
    ['$.items[::-1].id', ['c', 'b', 'a']],
    ['$.items[0,2].id', ['a', 'c']],
    ["$['content-type']", ['json']],
    ['$.content-type', ['json']],
    ["$['a.b']", [1]],
    ['$[count]', [3]],
    ['$.items[*].id', ['a', 'b', 'c']],
    ['$..id', ['a', 'b', 'c', 'd']],
    ['$.items[0].tags.*', ['x', 'y']],
    ['$.items.0.id', ['a']],
    ['$.missing', []],
    ['$.constructor', []],
    ['$.__proto__', []],
    ['$.items.toString', []],
  ];
  for (const [path, expected] of cases) {
    it(`evaluates ${path} to ${JSON.stringify(expected)}`, () => {
      assert.equal(jsonPathProblem(path), undefined);
      assert.deepEqual(queryJsonPath(path, doc), expected);
    });
  }

  // Two differences on purpose: jsonpath-plus indexes into a string's characters ($.s[0]; stepwatch only
  // gives a string's length) and ignores negative indexes ($.a[-1] is the last item, as in RFC 9535); it
  // also reads the slice [0:0] as [0:], where RFC 9535 says it selects nothing.
  it('finds the same first match as jsonpath-plus (eval off) for every path of the grammar', () => {
    const name = fc.constantFrom('a', 'b', 'id', 'items', 'length', '0', '1');
    const segment = fc.oneof(
      name.map((n) => `.${n}`),
      name.map((n) => `..${n}`),
      fc.constant('.*'),
      fc.constant('..*'),
      fc.integer({ min: 0, max: 3 }).map((i) => `[${i}]`),
      name.map((n) => `['${n}']`),
      fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 3 })).map(([a, n]) => `[${a}:${a + n}]`),
    );
    const path = fc.array(segment, { maxLength: 4 }).map((parts) => `$${parts.join('')}`);
    const json = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.boolean(), fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(name, tie('node'), { maxKeys: 3 })),
    })).node.filter((value) => value !== null && typeof value === 'object');
    fc.assert(
      fc.property(path, json, (p, value) => {
        assert.equal(jsonPathProblem(p), undefined, p);
        const ours = queryJsonPath(p, value)[0];
        const theirs = (JSONPath({ path: p, json: value as object, wrap: true, eval: false }) as unknown[])[0];
        assert.deepEqual(ours, theirs, `${p} on ${JSON.stringify(value)}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('stops an evaluation that visits more than its budget and says which bound', () => {
    const wide = { a: Array.from({ length: 2_000 }, (_, i) => ({ i })) };
    assert.throws(() => queryJsonPath('$..*..*', wide, 10_000), (error: unknown) => error instanceof JsonPathBudgetError && /visits more than 10000|visits more than/.test(error.message));
  });

  it('walks an answer nested 100,000 levels deep without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}1${']'.repeat(100_000)}`) as unknown;
    assert.deepEqual(queryJsonPath('$..nothing', deep), []);
  });
});

describe('JSONPath syntax', () => {
  const refused: Array<[string, RegExp]> = [
    ['$.', /ends after '\.'/],
    ['$..', /ends after '\.\.'/],
    ['$[', /never closed/],
    ['$]', /where '\.' or '\[' is expected/],
    ['$.items[?@ > 1]', /script expression \[\?@ > 1\]/],
    ['$[a,?(@.x)]', /script expression \[\?\(@\.x\)\]/],
    ['$.items[0,(@.length-1)]', /script expression \[\(@\.length-1\)\]/],
    ['$[@.a]', /uses '@'/],
    ['$..*^..*', /parent operator '\^'/],
    ['$.a~', /property-name operator/],
    ['$.items[1:2:0]', /step 0/],
    ['$.items[0', /never closed/],
    ["$['a", /never closed/],
    ['$.items[]', /empty selector/],
    ['$.items[12345678901]', /more than 9 digits/],
    [`$${'..a'.repeat(400)}`, new RegExp(`at most ${MAX_JSONPATH_LENGTH}`)],
  ];
  for (const [path, message] of refused) {
    it(`refuses ${path.slice(0, 40)} and says why`, () => {
      const parsed = parseJsonPath(path);
      assert.ok('problem' in parsed, path);
      assert.match(parsed.problem, message);
    });
  }

  it('parses a 100 KB path of descendants in linear time, refusing it for its length', () => {
    assert.match(jsonPathProblem(`$${'..'.repeat(50_000)}`) ?? '', /at most 1024/);
  });

  it('never throws on any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.stringMatching(/^\$[.[\]'"*?@()^~:,0-9a-z -]{0,30}$/)), (text) => {
        const parsed = parseJsonPath(text);
        if ('path' in parsed) queryJsonPath(parsed.path, { a: [1, { b: 2 }] });
      }),
      { numRuns: 3000 },
    );
  });
});
