import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redactor, secretEnvValues } from '../../src/redaction/redactor.js';

describe('the redactor', () => {
  it('takes the values of env names with SECRET, TOKEN, PASSWORD, PASSWD or KEY, in any case', () => {
    const values = secretEnvValues({ CLIENT_SECRET: 'a', gh_token: 'b', DB_PASSWORD: 'c', passwd: 'd', Api_Key: 'e', CLIENT_ID: 'f', EMPTY_SECRET: '' });
    assert.deepEqual(values.sort(), ['a', 'b', 'c', 'd', 'e']);
  });

  it('hides a secret wherever it stands, raw or URL-encoded', () => {
    const redactor = new Redactor(['s3cr3t/+:%']);
    assert.equal(redactor.censor('x s3cr3t/+:% y'), 'x [redacted] y');
    assert.equal(redactor.censor(`https://h/?k=${encodeURIComponent('s3cr3t/+:%')}`), 'https://h/?k=[redacted]');
  });

  it('hides sensitive header values by name and secrets inside nested values', () => {
    const redactor = new Redactor(['tok']);
    const out = redactor.censorDeep({ headers: { Authorization: 'Basic abc', 'set-cookie': 'a=b', accept: 'x' }, list: ['a tok b'] });
    assert.deepEqual(out, { headers: { Authorization: '[redacted]', 'set-cookie': '[redacted]', accept: 'x' }, list: ['a [redacted] b'] });
  });

  it("lets a run's child set add secrets without touching the parent", () => {
    const parent = new Redactor(['p']);
    const child = parent.child();
    child.add('c-secret');
    assert.equal(child.censor('p c-secret'), '[redacted] [redacted]');
    assert.equal(parent.censor('c-secret'), 'c-secret');
  });
});
