import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplate, render, references } from '../../src/templating/template.js';

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
