import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startDaemon } from '../../src/daemon/start-daemon.js';
import type { Daemon } from '../../src/daemon/start-daemon.js';
import { createLogger } from '../../src/logging/logger.js';
import { formEncode } from '../../src/http/wire-format.js';
import { Redactor } from '../../src/redaction/redactor.js';
import { STORE_FILE } from '../../src/oauth2/file-refresh-token-store.js';
import { json, startHttpServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';
import { runCli } from '../support/cli.js';
import fc from 'fast-check';
import { runMonitor } from '../../src/run/run-monitor.js';
import { reporters, REPORTERS } from '../../src/report/reporters.js';
import { usedEnvSecrets } from '../../src/redaction/monitor-secrets.js';
import type { RunResult } from '../../src/core/results.js';
import { monitorFromYaml } from '../support/monitors.js';

/** A value no output may show: unique per test run, with the characters encodings change. */
const canary = (kind: string) => `${kind}-canary:+/% ${randomBytes(4).toString('hex')}`;

const SECRETS = {
  SERVICE_API_KEY: canary('env-key'), // secret by its name: header and query value
  DB_PASSWORD: canary('env-password'), // secret by its name: form field
  GH_TOKEN: canary('env-token'), // secret by its name: JSON body
  ALICE_USER: canary('basic-user'), // fills auth.basic
  ALICE_PW: canary('basic-password'), // fills auth.basic
  PLAIN_BEARER: canary('bearer'), // fills auth.bearer
  OAUTH_CLIENT_CRED: canary('client-secret-basic'), // fills clientSecret, sent with Basic
  BODY_CLIENT_CRED: canary('client-secret-body'), // fills clientSecret, sent in the form
  FIRST_RT: canary('first-refresh-token'), // fills refreshToken
};

/** Names that look secret but no monitor uses: they must change nothing. */
const LOOK_ALIKES = { FEATURE_KEY: '7', TOKEN_TTL: '3600', SOME_TOKEN: 'true', SOME_SECRET: '"', UNUSED_API_KEY: 'ok' };

const MONITORS = {
  'echo-request.yaml': `name: echo-request
schedule: "0 0 1 1 *"
steps:
  - name: check-7
    request:
      method: POST
      url: <<env.API>>/echo?static=3600
      query: { key: <<env.SERVICE_API_KEY>>, short: <<env.SHORT_KEY>> }
      headers: { X-Api-Key: <<env.SERVICE_API_KEY>> }
      auth: { basic: { username: <<env.ALICE_USER>>, password: <<env.ALICE_PW>> } }
      form: { secret: <<env.DB_PASSWORD>>, plain: hello }
    assert:
      headers: { x-echo-authorization: { equals: nope } }
`,
  'echo-bearer.yaml': `name: echo-bearer
schedule: "0 0 1 1 *"
steps:
  - name: Bearer and JSON
    request:
      method: POST
      url: <<env.API>>/echo
      auth: { bearer: <<env.PLAIN_BEARER>> }
      json: { token: <<env.GH_TOKEN>>, ttl: 3600 }
    assert:
      jsonpath: { $.headers.authorization: { equals: nope } }
`,
  'extract-then-fail.yaml': `name: extract-then-fail
schedule: "0 0 1 1 *"
steps:
  - name: Token by hand
    request: { method: POST, url: <<env.API>>/token/extract }
    extract:
      session: { jsonpath: $.session, secret: true }
    assert:
      jsonpath: { $.token_type: { equals: mac } }
`,
  'oauth-reuse.yaml': `name: oauth-reuse
schedule: "0 0 1 1 *"
steps:
  - name: Client token
    oauth2:
      tokenUrl: <<env.API>>/token/reuse
      grant: client_credentials
      clientId: stepwatch-client
      clientSecret: <<env.OAUTH_CLIENT_CRED>>
      reuseToken: true
  - name: Call with it
    request:
      url: <<env.API>>/echo
      headers: { Authorization: Bearer <<custom.access_token>>, X-Refresh: <<custom.refresh_token>> }
    assert:
      body: { contains: nope }
`,
  'oauth-basic-echo.yaml': `name: oauth-basic-echo
schedule: "0 0 1 1 *"
steps:
  - name: Client token, Basic quoted
    oauth2:
      tokenUrl: <<env.API>>/token/basic
      grant: client_credentials
      clientId: stepwatch-client
      clientSecret: <<env.OAUTH_CLIENT_CRED>>
    assert:
      jsonpath: { $.echo.headers.authorization: { equals: nope } }
`,
  'oauth-refresh.yaml': `name: oauth-refresh
schedule: "0 0 1 1 *"
steps:
  - name: Refresh
    oauth2:
      tokenUrl: <<env.API>>/token/refresh
      grant: refresh_token
      clientId: stepwatch-client
      clientSecret: <<env.BODY_CLIENT_CRED>>
      clientAuth: body
      refreshToken: <<env.FIRST_RT>>
    assert:
      jsonpath: { $.token_type: { equals: mac } }
`,
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => resolve(body));
  });
}

/** Every file under a folder, with its text. */
function filesUnder(dir: string): Array<[string, string]> {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return [file, readFileSync(file, 'utf8')];
    });
}

function lineCollector(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}

describe('secrets never leave stepwatch, at debug level, in any output', () => {
  let api: TestServer;
  let dir: string;
  /** Tokens the API issued, by the monitor that asked (the token URL's last segment). */
  const issued = new Map<string, string[]>();
  const allIssued = () => [...issued.values()].flat();
  const env = () => ({ API: api.url, SHORT_KEY: 'abc', ...SECRETS, ...LOOK_ALIKES });

  before(async () => {
    let count = 0;
    // A careless API: every answer echoes the request's method, URL, headers and body, and the
    // credentials once more in a header and a cookie. /token/* issues new tokens on every call.
    api = await startHttpServer(async (req, res) => {
      const echo = { headers: req.headers, method: req.method, url: req.url, body: await readBody(req) };
      if (req.url?.startsWith('/token/')) {
        const who = req.url.slice('/token/'.length);
        count++;
        const tokens = { access_token: `at-${who}-${count}.${randomBytes(12).toString('base64url')}`, refresh_token: `rt-${who}-${count}.${randomBytes(12).toString('base64url')}`, id_token: `idt-${who}-${count}.${randomBytes(12).toString('base64url')}` };
        // A session value that only the monitor's `secret: true` extraction makes secret.
        const session = who === 'extract' ? { session: `sess-${count}.${randomBytes(12).toString('base64url')}` } : {};
        issued.set(who, [...(issued.get(who) ?? []), ...Object.values(tokens), ...Object.values(session)]);
        return json(res, 200, { token_type: 'Bearer', expires_in: 3600, ...tokens, ...session, echo });
      }
      json(res, 200, echo, { 'x-echo-authorization': req.headers.authorization ?? '', 'set-cookie': `session=${req.headers.authorization ?? ''}` });
    });
    dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-redaction-'));
    mkdirSync(path.join(dir, 'monitors'));
    for (const [file, text] of Object.entries(MONITORS)) writeFileSync(path.join(dir, 'monitors', file), text);
  });
  after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const forms = (values: string[]) => values.flatMap((value) => [value, encodeURIComponent(value), formEncode(value)]);
  const BASIC = () => Buffer.from(`${SECRETS.ALICE_USER}:${SECRETS.ALICE_PW}`).toString('base64');
  const CLIENT_BASIC = () => Buffer.from(`stepwatch-client:${formEncode(SECRETS.OAUTH_CLIENT_CRED)}`).toString('base64');
  /** Each secret in every form the wire gave it, but the refresh tokens in force where they are kept. */
  const everySecret = (inForce: Set<string> = new Set()) => [...forms([...Object.values(SECRETS), ...allIssued()].filter((value) => !inForce.has(value))), BASIC(), CLIENT_BASIC()];
  const assertNone = (outputs: Record<string, string>, secrets: string[]) => {
    for (const [where, text] of Object.entries(outputs)) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `${where} shows ${secret}:\n${text.slice(0, 3000)}`);
    }
  };

  describe('in the daemon, over two runs of every monitor', () => {
    const outputs: Record<string, string> = {};
    const lines: string[] = [];
    let dataDir = '';
    before(async () => {
      const collector = lineCollector();
      const redactor = new Redactor();
      dataDir = path.join(dir, 'daemon-data');
      const daemon: Daemon = await startDaemon({ monitorPaths: [path.join(dir, 'monitors')], host: '127.0.0.1', port: 0, env: env(), dataDir, logger: createLogger({ level: 'debug', redactor, destination: collector.stream }), redactor, apiToken: 'api-token-for-tests', watchIntervalMs: 60_000 });
      try {
        for (const round of [1, 2]) {
          for (const name of Object.keys(MONITORS).map((file) => file.replace('.yaml', ''))) {
            const answer = await fetch(`${daemon.url}/api/monitors/${name}/run`, { method: 'POST', headers: { authorization: 'Bearer api-token-for-tests' } });
            outputs[`run endpoint ${name} #${round}`] = await answer.text();
            outputs[`/api/monitors/${name} #${round}`] = await (await fetch(`${daemon.url}/api/monitors/${name}`)).text();
            outputs[`page ${name} #${round}`] = await (await fetch(`${daemon.url}/monitors/${name}`)).text();
          }
        }
        outputs['/api/monitors'] = await (await fetch(`${daemon.url}/api/monitors`)).text();
        outputs['/metrics'] = await (await fetch(`${daemon.url}/metrics`)).text();
        outputs['/'] = await (await fetch(`${daemon.url}/`)).text();
      } finally {
        await daemon.stop(1_000);
      }
      lines.push(...collector.lines);
      outputs.logs = lines.join('\n');
    });
    const history = (key: string) => (JSON.parse(outputs[key] ?? '{}') as { history: Array<{ steps: Array<{ name: string; message?: string; response?: { body: string } }> }> }).history;

    it('shows the failing answers and messages, redacted, and logs excerpts at debug', () => {
      const step = history('/api/monitors/echo-request #2')[0]?.steps[0];
      assert.ok(step?.response?.body.includes('[redacted]'), 'the excerpt is kept, redacted');
      assert.ok(lines.some((line) => line.includes('"response"') && line.includes('"level":"debug"')), 'debug lines carry the excerpts');
      for (const text of Object.values(outputs)) assert.doesNotMatch(text, /":\s*\[redacted\]|\[redacted\]\d/, 'no number or boolean is rewritten');
    });

    it('hides a secret extraction from the moment it is extracted, though the step then fails', () => {
      assert.equal(history('/api/monitors/extract-then-fail #1')[0]?.steps[0]?.message, "expected $.token_type to equal 'mac', got 'Bearer'");
      assertNone(outputs, forms(issued.get('extract') ?? []));
    });

    it("hides the base64 of Basic credentials an API echoes, and an assertion message's quote of them", () => {
      assert.equal(history('/api/monitors/echo-request #1')[0]?.steps[0]?.message, "expected header x-echo-authorization to equal 'nope', got 'Basic [redacted]'");
      assert.equal(history('/api/monitors/oauth-basic-echo #1')[0]?.steps[0]?.message, "expected $.echo.headers.authorization to equal 'nope', got 'Basic [redacted]'");
      assertNone(outputs, [BASIC(), CLIENT_BASIC(), ...forms([SECRETS.ALICE_USER, SECRETS.ALICE_PW, SECRETS.OAUTH_CLIENT_CRED])]);
    });

    it('hides secret env values a monitor uses, in headers, query values, form fields and JSON bodies', () => {
      assertNone(outputs, forms([SECRETS.SERVICE_API_KEY, SECRETS.DB_PASSWORD, SECRETS.GH_TOKEN, SECRETS.PLAIN_BEARER]));
    });

    it('hides access, refresh and ID tokens obtained, reused from the cache on the second run, or read from the store', () => {
      assert.equal(history('/api/monitors/oauth-reuse #2')[0]?.steps[0]?.message, 'reused a token that is still valid');
      assert.equal(issued.get('reuse')?.length, 3, 'one token answer: the second run reused it');
      assertNone(outputs, forms([...(issued.get('reuse') ?? []), ...(issued.get('basic') ?? []), ...(issued.get('refresh') ?? []), SECRETS.FIRST_RT, SECRETS.BODY_CLIENT_CRED]));
      for (const [where, text] of Object.entries(outputs)) assert.ok(!text.includes('idt-'), `${where} shows an ID token`);
    });

    it('keeps in the data folder only the refresh tokens in force, in their store', () => {
      const store = JSON.parse(readFileSync(path.join(dataDir, STORE_FILE), 'utf8')) as { tokens: Record<string, { refreshToken: string }> };
      const inForce = new Set(Object.values(store.tokens).map((entry) => entry.refreshToken));
      assert.ok(inForce.size >= 1, 'the refresh tokens in force are stored');
      for (const [file, text] of filesUnder(dataDir)) assertNone({ [file]: text }, everySecret(path.basename(file) === STORE_FILE ? inForce : undefined));
    });

    it('shows no secret of any kind anywhere', () => {
      assertNone(outputs, everySecret());
    });

    it('rewrites no name and no number for look-alike variables no monitor uses, and names a short secret once', () => {
      assert.match(outputs['/metrics'] ?? '', /stepwatch_step_up\{monitor="echo-request",step="check-7"\} 0/);
      assert.ok(outputs['/api/monitors/echo-request #2']?.includes('"name":"check-7"'));
      assert.ok(outputs['/api/monitors/echo-request #2']?.includes('static=3600'), 'an unused TOKEN_TTL=3600 hides no 3600');
      const warnings = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.variable === 'SHORT_KEY');
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.equal(warnings[0]?.level, 'warn');
      for (const [where, text] of Object.entries(outputs)) if (where.startsWith('run endpoint') || where.startsWith('/api')) JSON.parse(text);
    });
  });

  it('in `stepwatch run` with each reporter at debug level: stdout, stderr and the data folder; reports stay valid JSON and XML', async () => {
    const dataDir = path.join(dir, 'cli-data');
    for (const reporter of ['pretty', 'json', 'junit']) {
      for (const round of [1, 2]) {
        const result = await runCli(['run', path.join(dir, 'monitors'), '--reporter', reporter, '--data-dir', dataDir], { env: { ...env(), STEPWATCH_LOG_LEVEL: 'debug' } });
        assert.equal(result.code, 1, result.stderr);
        assertNone({ [`stdout of run --reporter ${reporter} #${round}`]: result.stdout, [`stderr of run --reporter ${reporter} #${round}`]: result.stderr }, everySecret());
        if (reporter === 'json') {
          const report = JSON.parse(result.stdout) as { monitors: Array<{ name: string; passed: boolean; durationMs: number; steps: Array<{ name: string; message: string | null }> }> };
          assert.equal(typeof report.monitors[0]?.durationMs, 'number');
          assert.equal(report.monitors[0]?.passed, false);
          assert.deepEqual(report.monitors.map((m) => m.name).sort(), Object.keys(MONITORS).map((file) => file.replace('.yaml', '')).sort());
          assert.ok(report.monitors.some((m) => m.steps.some((s) => s.name === 'check-7')));
        }
        if (reporter === 'junit') assert.match(result.stdout, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="stepwatch" tests="7" failures="6" time="[\d.]+">\n/);
        assert.equal(result.stderr.split('\n').filter((line) => line.includes('SHORT_KEY')).length, 1, 'the short secret is named once');
        for (const line of result.stderr.split('\n').filter((l) => l.startsWith('{'))) JSON.parse(line);
      }
    }
    const store = JSON.parse(readFileSync(path.join(dataDir, STORE_FILE), 'utf8')) as { tokens: Record<string, { refreshToken: string }> };
    const inForce = new Set(Object.values(store.tokens).map((entry) => entry.refreshToken));
    for (const [file, text] of filesUnder(dataDir)) assertNone({ [file]: text }, everySecret(path.basename(file) === STORE_FILE ? inForce : undefined));
  });
});

describe('look-alike variables that no monitor uses', () => {
  let api: TestServer;
  before(async () => {
    // A fixed answer full of the values look-alikes tend to have: numbers, booleans, quotes.
    api = await startHttpServer((req, res) => json(res, 200, { ttl: 3600, passed: true, n: 1, seven: 7, quote: '"', url: req.url, key: req.headers['x-api-key'] }));
  });
  after(() => api.close());

  /** A result with its times set to zero, so two runs can be compared byte for byte. */
  const timeless = (result: RunResult): RunResult => ({ ...result, startedAt: 0, durationMs: 0, steps: result.steps.map((step) => ({ ...step, durationMs: 0, ...(step.phases ? { phases: { dns: 0, connect: 0, tls: 0, ttfb: 0, transfer: 0 } } : {}) })) });

  it('leave every report byte-identical to a run without them', async () => {
    const base = { API: api.url, SERVICE_API_KEY: 'a-real-api-key-123' };
    const yaml = `name: check-7
schedule: "0 0 1 1 *"
steps:
  - name: check-7 3600 true
    request:
      url: <<env.API>>/x?ttl=3600&on=true
      headers: { X-Api-Key: <<env.SERVICE_API_KEY>> }
    assert:
      body: { contains: nope }
`;
    const reportsFor = async (env: NodeJS.ProcessEnv) => {
      const monitor = monitorFromYaml(yaml, env);
      const result = timeless(await runMonitor(monitor, { env, redactor: new Redactor(usedEnvSecrets([monitor], env).values) }));
      return Object.fromEntries(REPORTERS.map((name) => [name, reporters[name]([result])]));
    };
    const without = await reportsFor(base);
    assert.ok(without.json?.includes('[redacted]'), 'the used key is redacted');
    const name = fc.tuple(fc.stringMatching(/^[A-Z][A-Z_]{0,8}$/), fc.constantFrom('_KEY', '_TOKEN', '_SECRET', '_PASSWORD', '_PASSWD', 'KEY')).map(([prefix, suffix]) => `${prefix}${suffix}`);
    const value = fc.oneof(fc.constantFrom('1', '7', '3600', 'true', 'false', '"', "'", '<', '&', 'check', 'check-7', '0', '.', ':', 'ms', 'passed', 'Bearer'), fc.string({ maxLength: 12 }));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(name, value, { minKeys: 1, maxKeys: 6 }), async (lookAlikes) => {
        const env = { ...lookAlikes, ...base };
        assert.deepEqual(await reportsFor(env), without);
      }),
      { numRuns: 40 },
    );
  });
});

describe('an assertion message quoting a long secret', () => {
  it('hides the secret before the quote is cut short, so no prefix of it is shown', async () => {
    const token = `long-${randomBytes(120).toString('hex')}`;
    const api = await startHttpServer((_req, res) => json(res, 200, { token }));
    try {
      const env = { API: api.url, LONG_TOKEN: token };
      const monitor = monitorFromYaml(`
name: long
schedule: "0 0 1 1 *"
steps:
  - name: Echo
    request: { url: <<env.API>>/, headers: { X-Token: <<env.LONG_TOKEN>> } }
    assert:
      body: { contains: nope }
`, env);
      const shown = reporters.json([await runMonitor(monitor, { env })]);
      assert.match(shown, /expected body to contain 'nope', got '\{\\"token\\":\\"\[redacted\]\\"\}'/);
      assert.ok(!shown.includes(token.slice(0, 12)), shown);
    } finally {
      await api.close();
    }
  });
});

describe('a value inserted into a credential header', () => {
  it('is a secret wherever it then appears, though nothing else marks it', async () => {
    const sid = `sid-${randomBytes(8).toString('hex')}`;
    const api = await startHttpServer((req, res) => (req.url === '/login' ? json(res, 200, { sid }) : json(res, 200, { cookie: req.headers.cookie })));
    try {
      const monitor = monitorFromYaml(`
name: cookie
schedule: "0 0 1 1 *"
steps:
  - name: Login
    request: { url: <<env.API>>/login }
    extract: { sid: $.sid }
  - name: Echo
    request: { url: <<env.API>>/echo, headers: { Cookie: session=<<custom.sid>> } }
    assert:
      jsonpath: { $.cookie: { equals: nope } }
`, { API: api.url });
      const shown = reporters.json([await runMonitor(monitor, { env: { API: api.url } })]);
      assert.match(shown, /got 'session=\[redacted\]'/);
      assert.ok(!shown.includes(sid), shown);
    } finally {
      await api.close();
    }
  });
});

describe('a redirect to another origin', () => {
  it('drops the credential headers and every header that carries a secret, and keeps the others', async () => {
    let seen: Record<string, unknown> = {};
    const other = await startHttpServer((req, res) => {
      seen = req.headers;
      json(res, 200, {});
    });
    const first = await startHttpServer((_req, res) => {
      res.writeHead(302, { location: `${other.url}/landing` });
      res.end();
    });
    try {
      const env = { API: first.url, SERVICE_API_KEY: 'a-real-api-key-123', REGION: 'eu-west-1' };
      const monitor = monitorFromYaml(`
name: redirected
schedule: "0 0 1 1 *"
steps:
  - name: Hop
    request:
      url: <<env.API>>/start
      headers: { X-Api-Key: "key <<env.SERVICE_API_KEY>>", X-Region: <<env.REGION>> }
      auth: { bearer: a-bearer-token-456 }
`, env);
      assert.equal((await runMonitor(monitor, { env })).passed, true);
      assert.equal(seen['x-region'], 'eu-west-1');
      assert.equal(seen['x-api-key'], undefined);
      assert.equal(seen.authorization, undefined);
    } finally {
      await first.close();
      await other.close();
    }
  });
});
