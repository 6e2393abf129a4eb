import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isTemplate, jsonReferences, MissingValueError, parseTemplate, render, renderJson, references } from '../../src/templating/template.js';
import type { JsonTemplate, Reference } from '../../src/templating/template.js';

describe('templates', () => {
  it('finds env and custom references, with spaces inside the brackets', () => {
    const { template, problems } = parseTemplate('Bearer << custom.access_token >> for <<env.CLIENT_ID>>');
    assert.deepEqual(problems, []);
    assert.deepEqual(references(template).map((r) => `${r.namespace}.${r.name}`), ['custom.access_token', 'env.CLIENT_ID']);
    assert.equal(render(template, (ref) => (ref.namespace === 'env' ? 'id' : 'tok')), 'Bearer tok for id');
  });

  it('reports an unknown namespace and a malformed template', () => {
    assert.deepEqual(parseTemplate('<<vault.x>>').problems.map((p) => p.message), ["unknown template namespace 'vault' in <<vault.x>>; use env.NAME, custom.name or file.path"]);
    assert.deepEqual(parseTemplate('<<custom>>').problems.map((p) => p.message), ['template <<custom>> is not of the form << env.NAME >>, << custom.name >> or << file.path >>']);
  });

  it('leaves a lone << alone', () => {
    const { template, problems } = parseTemplate('a << b');
    assert.deepEqual(problems, []);
    assert.equal(render(template, () => undefined), 'a << b');
  });
});

describe('rendering', () => {
  const values: Record<string, string> = { 'env.A': '<<env.B>>', 'env.B': 'never', 'custom.t': 'tok' };
  const resolve = (ref: Reference) => values[`${ref.namespace}.${ref.name}`];

  it('inserts a value once: a value holding << >> stays literal, and each reference is resolved once', () => {
    const asked: string[] = [];
    const { template } = parseTemplate('x <<env.A>> y <<custom.t>>');
    assert.equal(render(template, (ref) => (asked.push(ref.raw), resolve(ref))), 'x <<env.B>> y tok');
    assert.deepEqual(asked, ['<<env.A>>', '<<custom.t>>']);
  });

  it('keeps the text before, between and after references, and adjacent references apart', () => {
    const { template } = parseTemplate('<<<custom.t>>><<custom.t>>-<<custom.t>> end');
    assert.deepEqual(template.parts.filter((part) => typeof part === 'string'), ['<', '>', '-', ' end']);
    assert.equal(render(template, resolve), '<tok>tok-tok end');
  });

  it('reads names with dots, dashes and digits after the first character, and the raw text as written', () => {
    const { template, problems } = parseTemplate('<<  custom.a_b.c-d9  >>');
    assert.deepEqual(problems, []);
    assert.deepEqual(template.parts, [{ namespace: 'custom', name: 'a_b.c-d9', raw: '<<  custom.a_b.c-d9  >>' }]);
  });

  it('refuses names that do not start with a letter or underscore, and keeps the bad template as text', () => {
    for (const text of ['<<env.9x>>', '<<9env.x>>', '<<env.>>', '<<.x>>', '<<env x>>', '<<env.x y>>']) {
      const { template, problems } = parseTemplate(`a${text}b`);
      assert.equal(problems.length, 1, text);
      assert.equal(problems[0]?.raw, text);
      assert.equal(render(template, () => 'value'), `a${text}b`, text);
    }
    assert.deepEqual(parseTemplate('<<_env._x>>').problems.map((p) => p.message), ["unknown template namespace '_env' in <<_env._x>>; use env.NAME, custom.name or file.path"]);
  });

  it('fails with the reference when a value is missing, and reports every inserted value', () => {
    const { template } = parseTemplate('<<custom.t>>/<<env.MISSING>>');
    const inserted: string[] = [];
    assert.throws(
      () => render(template, resolve, (ref, value) => inserted.push(`${ref.name}=${value}`)),
      (error: Error) => error instanceof MissingValueError && error.message === 'env.MISSING has no value' && error.ref.raw === '<<env.MISSING>>',
    );
    assert.deepEqual(inserted, ['t=tok']);
    assert.equal(render(parseTemplate('').template, resolve), '');
  });

  it('renders the strings of a JSON template, at any depth, and keeps every other value as it is', () => {
    const t = (text: string) => parseTemplate(text).template;
    const body: JsonTemplate = { a: t('<<custom.t>>'), list: [t('x<<env.A>>'), 1, true, null, { deep: [t('<<custom.t>>')] }], n: 0, f: false, z: null };
    const inserted: string[] = [];
    assert.deepEqual(renderJson(body, resolve, (ref) => inserted.push(ref.name)), { a: 'tok', list: ['x<<env.B>>', 1, true, null, { deep: ['tok'] }], n: 0, f: false, z: null });
    assert.deepEqual(inserted, ['t', 'A', 't']);
    assert.deepEqual(jsonReferences(body).map((ref) => ref.raw), ['<<custom.t>>', '<<env.A>>', '<<custom.t>>']);
    assert.deepEqual(jsonReferences(3), []);
    assert.deepEqual(jsonReferences(null), []);
  });

  it('tells a template from other values', () => {
    assert.equal(isTemplate(parseTemplate('x').template), true);
    assert.equal(isTemplate({ parts: [] }), true);
    for (const value of [null, undefined, 'x', 3, {}, { parts: 'x' }, []]) assert.equal(isTemplate(value), false, JSON.stringify(value));
  });
});
