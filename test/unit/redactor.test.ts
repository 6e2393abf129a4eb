import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { createLogger } from '../../src/logging/logger.js';
import { basicAuthorization, formBody, formEncode } from '../../src/http/wire-format.js';
import { REDACTED, Redactor } from '../../src/redaction/redactor.js';
import { redactValue } from '../../src/redaction/redact-value.js';
import { isSecretEnvName } from '../../src/templating/secret-references.js';
import { hideTokenFields } from '../../src/oauth2/token-response.js';

describe('the redactor', () => {
  it('knows secret env names by SECRET, TOKEN, PASSWORD, PASSWD or KEY, in any case', () => {
    const names = ['CLIENT_SECRET', 'gh_token', 'DB_PASSWORD', 'passwd', 'Api_Key', 'CLIENT_ID', 'HOME'];
    assert.deepEqual(names.filter(isSecretEnvName), ['CLIENT_SECRET', 'gh_token', 'DB_PASSWORD', 'passwd', 'Api_Key']);
  });

  it('hides a secret wherever it stands, raw, URL-encoded, form-encoded or inside a JSON string', () => {
    const secret = 's3cr3t/+: %"x';
    const redactor = new Redactor([secret]);
    assert.equal(redactor.redactText(`x ${secret} y`), 'x [redacted] y');
    assert.equal(redactor.redactText(`https://h/?k=${encodeURIComponent(secret)}`), 'https://h/?k=[redacted]');
    assert.equal(redactor.redactText(`grant=a&k=${formEncode(secret)}&z=1`), 'grant=a&k=[redacted]&z=1');
    assert.equal(redactor.redactText(JSON.stringify({ echo: secret })), '{"echo":"[redacted]"}');
  });

  it('hides the base64 of Basic credentials that the one Basic builder reports', () => {
    const redactor = new Redactor();
    const header = basicAuthorization('alice', 'hunter2hunter2', { formEncodeParts: false, secrets: redactor });
    assert.equal(redactor.redactText(`got '${header}'`), `got 'Basic ${REDACTED}'`);
    assert.equal(header, `Basic ${Buffer.from('alice:hunter2hunter2').toString('base64')}`);
  });

  it('does not search free text for values shorter than 8 characters, but knows them as secrets', () => {
    const redactor = new Redactor(['7', '3600', 'abcdefg']);
    assert.equal(redactor.redactText('check-7 took 3600 ms, abcdefg'), 'check-7 took 3600 ms, abcdefg');
    assert.ok(redactor.isSecret('3600'));
    assert.ok(!redactor.isSecret('360'));
    assert.equal(new Redactor(['12345678']).redactText('12345678'), REDACTED, 'a text that is exactly an 8-character secret');
  });

  it('searches for a reported wire form of 8 characters or more, and knows a shorter one only as a secret', () => {
    const redactor = new Redactor();
    redactor.addWireForm('abc');
    redactor.addWireForm('wire1234');
    assert.equal(redactor.redactText('abc wire1234 abcdefgh'), `abc ${REDACTED} abcdefgh`);
    assert.ok(redactor.isSecret('abc'));
  });

  it('never takes the empty value as a secret: an unset variable inserted as nothing hides nothing', () => {
    const redactor = new Redactor(['']);
    redactor.add('');
    redactor.addWireForm('');
    assert.equal(redactor.isSecret(''), false);
    assert.equal(redactor.redactText('nothing secret here'), 'nothing secret here');
  });

  it('hides secrets that touch as one, so nothing tells where one ends', () => {
    assert.equal(new Redactor(['first-secret', 'second-secret']).redactText('a first-secretsecond-secret b'), `a ${REDACTED} b`);
  });

  it('forgets its own secrets on replace and takes the new ones (a reload)', () => {
    const redactor = new Redactor(['old-secret-value']);
    redactor.replace(['new-secret-value']);
    assert.equal(redactor.redactText('old-secret-value new-secret-value'), `old-secret-value ${REDACTED}`);
    assert.equal(redactor.isSecret('old-secret-value'), false);
  });

  it('leaves no tail when secrets overlap, in whatever order they were learnt', () => {
    for (const order of [['abc123456', '123456def'], ['123456def', 'abc123456']]) {
      const redactor = new Redactor(order);
      assert.equal(redactor.redactText('token=abc123456def!'), 'token=[redacted]!');
    }
    const nested = new Redactor(['token-abcdefgh', 'abcdefgh']);
    assert.equal(nested.redactText('a token-abcdefgh b abcdefgh'), 'a [redacted] b [redacted]');
  });

  it("lets a run's child set add secrets without touching the parent", () => {
    const parent = new Redactor(['parent-secret']);
    const child = parent.child();
    child.add('child-secret');
    assert.equal(child.redactText('parent-secret child-secret'), '[redacted] [redacted]');
    assert.equal(parent.redactText('child-secret'), 'child-secret');
    assert.ok(child.isSecret('parent-secret'), "the child knows the parent's secrets as secrets too");
    assert.equal(parent.isSecret('child-secret'), false);
  });

  it('shows no secret when inspected (console.log, util.inspect of an object holding it)', () => {
    assert.equal(inspect({ redactor: new Redactor(['inspect-secret']) }), `{ redactor: Redactor ${REDACTED} }`);
  });

  it('never serialises its secrets, even when a whole object holding it is logged', () => {
    const redactor = new Redactor(['top-secret-value']);
    assert.equal(JSON.stringify({ redactor }), '{"redactor":"[redacted]"}');
  });

  it('redacts structured values: strings and credential headers, never names, numbers or booleans', () => {
    const redactor = new Redactor(['check-7-secret', 'tok-12345678']);
    const out = redactValue({ monitor: 'check-7-secret', step: 'check-7-secret', n: 3600, ok: true, headers: { Authorization: 'Basic abc', 'set-cookie': 'a=b', accept: 'x' }, list: ['a tok-12345678 b'] }, redactor);
    assert.deepEqual(out, { monitor: 'check-7-secret', step: 'check-7-secret', n: 3600, ok: true, headers: { Authorization: REDACTED, 'set-cookie': REDACTED, accept: 'x' }, list: [`a ${REDACTED} b`] });
    const error = redactValue(new TypeError('bad tok-12345678'), redactor) as Error;
    assert.ok(error instanceof TypeError);
    assert.equal(error.message, `bad ${REDACTED}`);
    assert.match(String(error.stack), /^TypeError: bad \[redacted\]\n\s+at /, 'the stack is kept, redacted');
  });

  it('redacts an error into a copy shaped like a native error: its fields, message, stack and cause', () => {
    const redactor = new Redactor(['tok-12345678']);
    const original = Object.assign(new Error('outer tok-12345678', { cause: new RangeError('inner tok-12345678') }), { code: 'E_TOK', detail: 'tok-12345678' });
    const copy = redactValue(original, redactor) as Error & { code: string; detail: string };
    assert.deepEqual(Object.keys(copy), ['code', 'detail'], 'own fields are copied; message, stack and cause stay out of enumeration');
    assert.equal(copy.detail, REDACTED);
    // Compared by what a reader sees (enumerable, configurable), not by form: V8 13 (Node 24) makes
    // a native error's `stack` an accessor, older V8 a data property.
    for (const name of ['message', 'stack', 'cause'] as const) {
      const { enumerable, configurable } = Object.getOwnPropertyDescriptor(copy, name) ?? {};
      const native = Object.getOwnPropertyDescriptor(original, name) ?? {};
      assert.deepEqual({ enumerable, configurable }, { enumerable: native.enumerable, configurable: native.configurable }, `${name} is a property like the native one`);
    }
    assert.match(String(copy.stack), /^Error: outer \[redacted\]\n\s+at /, 'the stack is kept, redacted');
    assert.equal((copy.cause as Error).message, `inner ${REDACTED}`);
    const stackless = new Error('no stack tok-12345678');
    delete stackless.stack;
    const copied = redactValue(stackless, redactor) as Error;
    assert.equal(copied.message, `no stack ${REDACTED}`);
    assert.equal(Object.getOwnPropertyDescriptor(copied, 'stack'), undefined, 'no stack is made up');
    assert.equal(Object.getOwnPropertyDescriptor(copied, 'cause'), undefined, 'nor a cause');
  });

  it('redacts URLs, leaves null, undefined and class instances as they are, and cuts cycles only where they close', () => {
    const redactor = new Redactor(['tok-12345678']);
    assert.equal(redactValue(new URL('https://h/?k=tok-12345678'), redactor), `https://h/?k=${REDACTED}`);
    assert.equal(redactValue(null, redactor), null);
    assert.equal(redactValue(undefined, redactor), undefined);
    assert.deepEqual(redactValue({ headers: { authorization: undefined } }, redactor), { headers: { authorization: undefined } }, 'a credential header that was not sent is not shown as hidden');
    const instance = new (class Opaque {
      held = 'tok-12345678';
    })();
    assert.equal((redactValue({ instance }, redactor) as { instance: unknown }).instance, instance, 'not a plain object: passed through for its serialiser');
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: 'tok-12345678' });
    assert.deepEqual({ ...(redactValue(bare, redactor) as object) }, { k: REDACTED });
    const shared = { k: 'tok-12345678' };
    const cyclic: Record<string, unknown> = { a: shared, b: shared };
    cyclic.self = cyclic;
    assert.deepEqual(redactValue(cyclic, redactor), { a: { k: REDACTED }, b: { k: REDACTED }, self: '[circular]' });
  });

  it('hides the token fields of a token answer by structure, keeping its JSON valid', () => {
    const text = JSON.stringify({ access_token: 'a"b', token_type: 'Bearer', refresh_token: 'r', id_token: 'eyJ.x.y', expires_in: 60 }, null, 2);
    const hidden = JSON.parse(hideTokenFields(text, REDACTED)) as Record<string, unknown>;
    assert.deepEqual(hidden, { access_token: REDACTED, token_type: 'Bearer', refresh_token: REDACTED, id_token: REDACTED, expires_in: 60 });
  });
});

describe('the one form encoder', () => {
  it('writes exactly what URLSearchParams writes, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (name, value) => {
        assert.equal(formEncode(value), new URLSearchParams({ v: value }).toString().slice(2));
        assert.equal(formBody([[name, value], ['a b', '+/']]), new URLSearchParams([[name, value], ['a b', '+/']]).toString());
      }),
      { numRuns: 1000 },
    );
  });
});

describe('redaction properties', () => {
  const secret = fc.string({ minLength: 8, maxLength: 40, unit: 'binary' }).filter((s) => s.trim().length >= 8);
  const filler = fc.string({ maxLength: 60, unit: 'binary' });

  it('random secrets embedded raw, URL-encoded, form-encoded, JSON-escaped or in Basic credentials never survive', () => {
    fc.assert(
      fc.property(secret, fc.string({ minLength: 1, maxLength: 12 }), fc.array(fc.tuple(filler, fc.integer({ min: 0, max: 4 })), { minLength: 1, maxLength: 6 }), filler, (password, user, pieces, tail) => {
        const redactor = new Redactor();
        const header = basicAuthorization(user, password, { formEncodeParts: false, secrets: redactor });
        const client = basicAuthorization(user, password, { formEncodeParts: true, secrets: redactor });
        const forms = [password, safeUriEncode(password), formEncode(password), JSON.stringify(password).slice(1, -1), header.slice(6), client.slice(6)];
        const text = pieces.map(([before, form]) => `${before}${forms[form === 0 ? 0 : form] ?? password}`).join('') + `${header} ${client}` + tail;
        const shown = redactor.redactText(text);
        for (const form of forms) assert.ok(!shown.includes(form), `${JSON.stringify(form)} survived in ${JSON.stringify(shown)}`);
      }),
      { numRuns: 300 },
    );
  });

  it('overlapping secrets leave no tail: every character of every occurrence is hidden', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8, maxLength: 16 }), fc.string({ minLength: 1, maxLength: 8 }), fc.string({ minLength: 1, maxLength: 8 }), filler, filler, (core, before, after, left, right) => {
        const a = before + core;
        const b = core + after;
        const redactor = new Redactor([b, a]);
        const shown = redactor.redactText(`${left}${before}${core}${after}${right}`);
        for (const found of [a, b, core]) assert.ok(!shown.includes(found), `${JSON.stringify(found)} survived in ${JSON.stringify(shown)}`);
      }),
      { numRuns: 300 },
    );
  });
});

function safeUriEncode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value;
  }
}

describe('the logger', () => {
  const logLines = (level: string, log: (logger: ReturnType<typeof createLogger>) => void) => {
    const lines: string[] = [];
    const logger = createLogger({ level, redactor: new Redactor(['tok-12345678']), destination: new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }) });
    log(logger);
    return lines.map((line) => JSON.parse(line) as Record<string, { message?: string; stack?: string }>);
  };

  it('keeps an error message, redacted, and its stack only at debug', () => {
    const [info] = logLines('info', (logger) => logger.error({ err: new TypeError('bad tok-12345678') }, 'failed'));
    assert.equal(info?.err?.message, `bad ${REDACTED}`);
    assert.equal(info?.err?.stack, undefined);
    const [debug] = logLines('debug', (logger) => logger.error({ err: new TypeError('bad tok-12345678') }, 'failed'));
    assert.match(debug?.err?.stack ?? '', /^TypeError: bad \[redacted\]\n\s+at /);
  });
});
