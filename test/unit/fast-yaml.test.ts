import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseFast } from '../../src/config/fast-yaml.js';
import { diagnosticAt, parseYamlFile } from '../../src/config/yaml-source.js';
import { brokenYaml, monitorFile } from '../support/monitor-arbitraries.js';

/**
 * The fast path may decline any file, but a file it reads must read exactly as `yaml` reads it:
 * no error `yaml` would report, the same values, and the same position for the monitor's name.
 */
function assertSameAsYaml(text: string): void {
  const fast = parseFast(text);
  if (!fast) return;
  const slow = parseYamlFile('f.yaml', text);
  assert.deepEqual(slow.diagnostics, [], `the fast path read a file yaml refuses: ${JSON.stringify(text)}`);
  assert.deepStrictEqual(
    fast.map((doc) => doc.value),
    slow.documents.map((doc) => doc.value),
    JSON.stringify(text),
  );
  fast.forEach((doc, index) => {
    const source = slow.documents[index];
    if (!doc.name || !source) return;
    const { line, col } = diagnosticAt(source, ['name'], '');
    assert.deepEqual(doc.name, { line, col }, `name position in ${JSON.stringify(text)}`);
  });
}

/** Fragments of YAML syntax, valid and not, glued at random: where two parsers are most likely to differ. */
const fragment = fc.constantFrom(
  'name: ', 'key: ', 'k', ': ', ':', '- ', '-', '{', '}', '[', ']', ', ', "'", '"', '\\"', ' #c', '\n', '\n  ', '\n    ', '  ', '\t', '|', '|-', '>', '>+',
  '&a ', '*a', '!!str ', '!t ', '? ', '%YAML 1.1\n', '---\n', '...\n', 'x y', '1', '-0', '0o17', '0x1F', '1e999', '.inf', '-.Inf', '.NaN', '~', 'null', 'True',
  'FALSE', 'yes', '1_000', '__proto__', 'toString', '<<', '<<env.A>>', '"a\\tb"', "'it''s'", '\r\n', '\r', '\uFEFF', '\u00e9', '😀', '@', '`', '%', '\u0085', '\u2028', '\x00', '\x7f', '\x1b', '\\', '\\x41', ': |', '#', ' ', '  - ', 'a:b', '::', '-1', '1.', '0x', '+.5e3',
);
const soup = fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join(''));

/** JSON-like values written by `yaml` itself in its various styles. */
const written = fc
  .tuple(
    fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 6 }),
    fc.record({ collectionStyle: fc.constantFrom('any', 'block', 'flow'), defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'), lineWidth: fc.constantFrom(0, 20, 80) }),
  )
  .map(([value, options]) => stringify({ name: 'n', ...value }, options));

describe('the fast path of loading', () => {
  it('reads generated monitor files as yaml does, or leaves them to yaml', () => {
    fc.assert(fc.property(monitorFile, assertSameAsYaml), { numRuns: 500 });
  });

  it('reads broken YAML as yaml does, or leaves it to yaml', () => {
    fc.assert(fc.property(brokenYaml, assertSameAsYaml), { numRuns: 500 });
  });

  it('leaves an indented document marker, and a block scalar with an indentation indicator or keep chomping, to yaml (crashers the property below found)', () => {
    for (const text of ['  ---\nname: ', '  ---\nname: x', '  --- \nname: x', ':: |1\n    ', 'name: x\nbody: >-2\n   \n', 'a: \n  - >+\n  ']) {
      assert.equal(parseFast(text), undefined, JSON.stringify(text));
      assertSameAsYaml(text);
    }
  });

  it('reads random fragments of YAML syntax as yaml does, or leaves them to yaml', () => {
    fc.assert(fc.property(soup, assertSameAsYaml), { numRuns: 20_000 });
  });

  it('reads values yaml wrote, in every style, as yaml reads them back', () => {
    fc.assert(fc.property(written, assertSameAsYaml), { numRuns: 1_000 });
  });

  for (const [what, text] of Object.entries({
    'an anchor and an alias': 'name: a\nx: &v 1\ny: *v\n',
    'a tag': 'name: a\nlabels: !!set { a }\n',
    'a directive': '%YAML 1.1\n---\nname: a\nx: yes\n',
    'a merge key': 'name: a\n<<: { b: 1 }\n',
    'a key that is a number': 'name: a\nlabels: { 1: x }\n',
    'a key that is null': 'name: a\n~: x\n',
    'a key that is a list': 'name: a\n[a, b]: x\n',
    'a duplicate key': 'name: a\nname: b\n',
    'a byte-order mark': '\uFEFFname: a\n',
    'a name written as a block scalar': 'name: |\n  a\n',
    'nesting past 100 levels': `name: a\nx: ${'['.repeat(101)}${']'.repeat(101)}\n`,
    'a syntax error': 'name: a\nx: [\n',
  })) {
    it(`leaves a file with ${what} to yaml`, () => {
      assert.equal(parseFast(text), undefined);
    });
  }

  it('reads numbers, booleans, nulls, quoted names and special keys exactly as yaml does', () => {
    const text = `name: 'it''s'\nschedule: "* * * * *"\nint: [-0, +7, 0o17, 0x1F, 007]\nfloat: [1.50, .5, 1e3, 1e999, -.INF, .NaN]\nother: [~, null, True, FALSE, yes, 1_000, 0b11]\n__proto__: x\ntoString: y\nfolded: >\n  a\n  b\nplain: a\n  b\n---\n{ "name": x, a: 1 }\n`;
    assertSameAsYaml(text);
    const fast = parseFast(text);
    assert.equal(fast?.length, 2);
    assert.deepEqual(fast?.map((doc) => doc.name), [
      { line: 1, col: 7 },
      { line: 14, col: 11 },
    ]);
  });
});
