import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Catalog } from '../../src/config/catalog.js';
import { requestOf } from '../support/monitors.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const shown = (name: string) => path.relative(process.cwd(), path.join(fixtures, 'invalid', name));

/** Every invalid case, with its exact diagnostics (line:col: message); the file name is prefixed. */
const INVALID: Record<string, string[]> = {
  'alias-bomb.yaml': ['1:1: YAML refused: Excessive alias count indicates a resource exhaustion attack (at most 100 alias expansions)'],
  'bad-cron-fields.yaml': ['2:11: schedule \'*/5 * * *\' has 4 fields; write 5 (minute hour day month weekday, e.g. "*/5 * * * *") or 6 with seconds first'],
  'bad-cron-value.yaml': ["2:16: schedule '*/5 25 * * *': hour '25' is outside 0-23"],
  'cron-backwards.yaml': ["2:14: schedule '0 9-5 * * *': hour range '9-5' runs backwards; write the lower bound first"],
  'cron-bad-name.yaml': ["2:20: schedule '0 9 * * funday': weekday 'funday' is outside 0-7 or sun-sat"],
  'cron-bad-step.yaml': ["2:12: schedule '*/0 * * * *': minute step '/0' in '*/0' must be from 1 to 60"],
  'cron-huge-range.yaml': ["2:12: schedule '1-100000000 * * * *': minute '100000000' is outside 0-59"],
  'cron-long-list.yaml': ["2:12: schedule '0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,0 * * * *': minute '0,1,2,3,4,5,6,7,8,9,10,1…' lists 61 items; at most 60"],
  'bad-duration.yaml': ['3:10: timeout must be a duration such as 250ms, 1.5s, 2m, 1h, or a number of milliseconds, got string "30 seconds"'],
  'bad-label.yaml': ["3:11: 'team-name' cannot be a Prometheus label name here: use letters, digits and '_', not starting with '__' and not one of monitor, step, reason, phase, job, instance, location, le, quantile"],
  'bad-name.yaml': ['1:7: monitor name "Spotify New Releases" must be lowercase letters, digits, \'.\', \'_\' or \'-\', starting with a letter or digit (e.g. spotify-new-releases)'],
  'bad-regex.yaml': ['7:24: not a valid regular expression: Invalid regular expression: /([a-z/: Unterminated character class'],
  'bad-status.yaml': ['6:23: steps[0].assert.status must be a status such as 200, a list such as [200, 204], a class such as "2xx", or operators, got string "ok"'],
  'bad-timezone.yaml': ["3:11: unknown time zone 'Europe/Atlantis'; use an IANA name such as Europe/Berlin or UTC"],
  'bad-url.yaml': ["5:21: 'api.example.com/a' is not an absolute URL; write it as https://host/path"],
  'body-conflict.yaml': ['9:7: use only one of body, form and json in a request (found body and json)'],
  'cron-day-or.yaml': ["2:11: schedule '0 9 1 * 1' restricts both the day of month (1) and the day of week (1): crontab would run it when either matches, but stepwatch's scheduler only when both do; keep one of them '*' (use two monitors for \"either\")"],
  'custom-not-extracted.yaml': ['10:41: custom.acces_token is not extracted by an earlier step (earlier steps extract: access_token); add it under extract: in a step before this one'],
  'custom-same-step.yaml': ['6:54: custom.access_token is not extracted by an earlier step (no earlier step extracts anything); add it under extract: in a step before this one'],
  'duplicate-key.yaml': ['3:1: YAML syntax: Map keys must be unique'],
  'duplicate-step.yaml': ["6:11: step name 'Call' is already used by step 1; step names must be unique within a monitor"],
  'empty.yaml': ['1:1: file holds no monitor; write at least name, schedule and steps'],
  'env-not-set.yaml': ['8:28: environment variable STEPWATCH_TEST_UNSET_ID is not set (used as <<env.STEPWATCH_TEST_UNSET_ID>>), nor STEPWATCH_TEST_UNSET_ID_FILE; set one before running stepwatch'],
  'extraction-two-sources.yaml': ["7:11: extraction 'id' needs exactly one of jsonpath, header or regex (found header and regex)"],
  'jsonpath-no-dollar.yaml': ["7:23: JSONPath 'items[0].id' must start with '$', e.g. $.access_token"],
  'jsonpath-script.yaml': ["8:9: JSONPath '$.items[?(@.price > 10)].id' uses a script expression [?(@.price > 10)], which stepwatch never evaluates; select by index or name instead, e.g. $.items[0].id"],
  'missing-steps.yaml': ["1:1: the monitor is missing the required field 'steps'"],
  'misspelled-operator.yaml': ["8:25: unknown field 'equal' in steps[0].assert.jsonpath.$.token_type; did you mean 'equals'? (allowed: equals, notEquals, contains, notContains, matches, exists, lessThan, greaterThan, oneOf)"],
  'no-action.yaml': ["4:5: step 'Call' needs an action: add a request: block with at least a url, or an oauth2: block"],
  'unknown-field.yaml': ["3:1: unknown field 'retires' in the monitor; did you mean 'retries'? (allowed: name, description, schedule, timezone, timeout, retries, labels, enabled, locations, steps)"],
  'unknown-namespace.yaml': ["5:46: unknown template namespace 'secret' in <<secret.path>>; use env.NAME, custom.name or file.path"],
  'wrong-type.yaml': ['7:24: steps[0].request.followRedirects must be true or false, got string "sometimes"'],
  'yaml-syntax.yaml': ['6:1: YAML syntax: Flow map in block collection must be sufficiently indented and end with a }'],
  'jsonpath-at-selector.yaml': ["8:9: JSONPath '$[@.a]' uses '@' (the current node of a filter; filters are never evaluated) at character 3, which stepwatch does not support; select by name or index, e.g. $.items[0].id"],
  'jsonpath-parent.yaml': ["8:9: JSONPath '$..*^..*' uses the parent operator '^' at character 5, which stepwatch does not support; select by name or index, e.g. $.items[0].id"],
  'jsonpath-rfc9535-filter.yaml': ["8:9: JSONPath '$.items[?@ > 1]' uses a script expression [?@ > 1], which stepwatch never evaluates; select by index or name instead, e.g. $.items[0].id"],
  'jsonpath-stray-bracket.yaml': ["7:11: JSONPath '$]' has ']' at character 2 where '.' or '[' is expected"],
  'jsonpath-too-long.yaml': ["7:11: JSONPath is 1202 characters long; at most 1024"],
  'jsonpath-trailing-descendant.yaml': ["7:11: JSONPath '$..' ends after '..'; a name or * must follow it"],
  'jsonpath-trailing-dot.yaml': ["8:9: JSONPath '$.' ends after '.'; a name or * must follow it"],
  'jsonpath-unclosed-bracket.yaml': ["8:9: JSONPath '$[' has '[' at character 2 that is never closed with ']'"],
  'jsonpath-union-script-index.yaml': ["8:9: JSONPath '$.items[0,(@.length-1)]' uses a script expression [(@.length-1)], which stepwatch never evaluates; select by index or name instead, e.g. $.items[0].id"],
  'jsonpath-union-script.yaml': ["8:9: JSONPath '$[a,?(@.x)]' uses a script expression [?(@.x)], which stepwatch never evaluates; select by index or name instead, e.g. $.items[0].id"],
  'duration-huge.yaml': ["3:10: timeout 600h is out of bounds: write a duration from 1ms to 1h (a run's bound)"],
  'duration-number-overflow.yaml': ["3:10: timeout 3000000000 is out of bounds: write a duration from 1ms to 1h (a run's bound)"],
  'duration-inf.yaml': ["3:10: timeout must be a duration from 1ms to 1h (a run's bound), got .inf"],
  'retries-nan.yaml': ["3:10: retries must be a finite number, got .nan"],
  'step-timeout-over-run.yaml': ["6:62: timeout 1e+308 is out of bounds: write a duration from 1ms to 5s (the run's timeout)"],
  'yaml-set-labels.yaml': ["3:15: YAML tag !!set is not supported; write a plain map, list or value (without the tag)"],
  'yaml-omap-labels.yaml': ["3:16: YAML tag !!omap is not supported; write a plain map, list or value (without the tag)"],
  'yaml-bom.yaml': ["1:7: monitor name \"Bad\" must be lowercase letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. bad)"],
  'not-utf8.yaml': ["3:17: the file is not UTF-8 here; save it as UTF-8 (monitor files are read as UTF-8 only)"],
  'yaml-deep-flow.yaml': ['1:1: YAML nests too deeply in the document starting here; stepwatch reads at most 100 levels'],
  'yaml-deep-block.yaml': ['1:1: YAML nests too deeply in the document starting here; stepwatch reads at most 100 levels'],
  'yaml-deep-moderate.yaml': ['1:1: YAML nests too deeply in the document starting here; stepwatch reads at most 100 levels'],
  'label-reserved.yaml': ["3:11: 'le' cannot be a Prometheus label name here: use letters, digits and '_', not starting with '__' and not one of monitor, step, reason, phase, job, instance, location, le, quantile","3:22: 'quantile' cannot be a Prometheus label name here: use letters, digits and '_', not starting with '__' and not one of monitor, step, reason, phase, job, instance, location, le, quantile","3:37: '__name' cannot be a Prometheus label name here: use letters, digits and '_', not starting with '__' and not one of monitor, step, reason, phase, job, instance, location, le, quantile"],
  'header-not-latin1.yaml': ["7:29: header X-A has '☃', which an HTTP header cannot carry (Latin-1 text only, no control characters); percent-encode it or send it in the body"],
  'step-lone-surrogates.yaml': ["4:11: step name 'Get �' has a lone UTF-16 surrogate (shown as �), which cannot be written as UTF-8; two such names would become one label","6:11: step name 'Get �' has a lone UTF-16 surrogate (shown as �), which cannot be written as UTF-8; two such names would become one label"],
  'query-key-template.yaml': ["7:16: '<<env.KEY>>' is a name with a template; templates work in values only, so write the name as it is sent"],
  'env-prototype.yaml': ["7:24: environment variable toString is not set (used as <<env.toString>>), nor toString_FILE; set one before running stepwatch","7:49: environment variable constructor is not set (used as <<env.constructor>>), nor constructor_FILE; set one before running stepwatch","7:77: environment variable __proto__ is not set (used as <<env.__proto__>>), nor __proto___FILE; set one before running stepwatch"],
};

async function diagnosticsFor(file: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const catalog = new Catalog([file], env);
  await catalog.refresh();
  return catalog.invalid().flatMap((doc) => doc.diagnostics.map(formatDiagnostic));
}

describe('the loader on invalid monitor files', () => {
  for (const [name, expected] of Object.entries(INVALID)) {
    it(`reports ${name} at file:line:col with a message that says what to write`, async () => {
      const actual = await diagnosticsFor(path.join(fixtures, 'invalid', name));
      assert.deepEqual(actual, expected.map((line) => `${shown(name)}:${line}`));
    });
  }

  it('has a table entry for every invalid fixture', async () => {
    const { readdirSync } = await import('node:fs');
    assert.deepEqual(readdirSync(path.join(fixtures, 'invalid')).sort(), Object.keys(INVALID).sort());
  });

  it('reports every problem of a file at once, not only the first', async () => {
    const file = path.join(fixtures, 'invalid', 'unknown-field.yaml');
    const { compileText } = await import('../../src/config/load-file.js');
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(file, 'utf8').replace('*/5 * * * *', 'every minute').replace('Ping', 'Ping\n    extract: { a: nope }');
    const diagnostics = compileText(file, 'x.yaml', text, {}).documents.flatMap((d) => d.diagnostics.map((x) => x.message));
    assert.equal(diagnostics.length, 3, diagnostics.join('\n'));
  });

  it('reports the same mistake in two steps once for each step', async () => {
    const { compileText } = await import('../../src/config/load-file.js');
    const text = 'name: ok\nschedule: "* * * * *"\nsteps:\n  - { name: a, request: { url: "http://h/", method: "" } }\n  - { name: b, request: { url: "http://h/", method: "" } }\n';
    const diagnostics = compileText('x.yaml', 'x.yaml', text, {}).documents.flatMap((d) => d.diagnostics.map((x) => `${x.line}:${x.col}: ${x.message}`));
    assert.deepEqual(diagnostics, [
      '4:53: steps[0].request.method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got string ""',
      '5:53: steps[1].request.method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got string ""',
    ]);
  });
});

describe('the loader on valid monitor files', () => {
  it('accepts schedules that restrict only one of day of month and day of week, as crontab and node-cron read them alike', async () => {
    const { compileText } = await import('../../src/config/load-file.js');
    for (const schedule of ['0 9 1 * *', '0 9 * * 1', '0 9 ? * MON', '0 9 */2 * 1', '0 0 9 1 * *', '0 9 1 * ?']) {
      const text = `name: ok\nschedule: "${schedule}"\nsteps:\n  - { name: a, request: { url: "http://h/" } }\n`;
      assert.deepEqual(compileText('x.yaml', 'x.yaml', text, {}).documents.flatMap((d) => d.diagnostics.map((x) => x.message)), [], schedule);
    }
  });

  it('refuses a six-field schedule that restricts both day fields, at the schedule', async () => {
    const { compileText } = await import('../../src/config/load-file.js');
    const text = 'name: ok\nschedule: "0 0 9 1-7 * 1"\nsteps:\n  - { name: a, request: { url: "http://h/" } }\n';
    const [diagnostic] = compileText('x.yaml', 'x.yaml', text, {}).documents.flatMap((d) => d.diagnostics);
    assert.equal(`${diagnostic?.line}:${diagnostic?.col}`, '2:11');
    assert.match(diagnostic?.message ?? '', /restricts both the day of month \(1-7\) and the day of week \(1\)/);
  });

  it("compiles the contract's examples", async () => {
    const catalog = new Catalog([path.join(fixtures, 'valid', 'contract-request-step.yaml')], { CLIENT_ID: 'id', CLIENT_SECRET: 'secret' });
    await catalog.refresh();
    assert.deepEqual(catalog.invalid(), []);
    const [monitor] = catalog.monitors();
    assert.equal(monitor?.name, 'spotify-new-releases');
    assert.equal(monitor?.timeoutMs, 30_000);
    assert.equal(monitor?.timezone, 'Europe/Berlin');
    assert.equal(monitor?.retries, 1);
    assert.deepEqual(monitor?.labels, { team: 'music' });
    const step = monitor?.steps[1];
    assert.equal(step?.name, 'Get new releases');
    assert.equal(requestOf(step)?.timeoutMs, 10_000);
    assert.deepEqual(step?.extractions.map((e) => [e.name, e.source, e.secret]), [
      ['access_token', 'jsonpath', false],
      ['album', 'jsonpath', false],
      ['request_id', 'header', false],
      ['csrf', 'regex', false],
      ['session', 'jsonpath', true],
    ]);
    assert.deepEqual(step?.assertions.map((a) => [a.subject, a.property, a.operator]), [
      ['status', undefined, 'equals'],
      ['latency', undefined, 'lessThan'],
      ['header', 'content-type', 'contains'],
      ['body', undefined, 'contains'],
      ['jsonpath', '$.token_type', 'equals'],
      ['jsonpath', '$.expires_in', 'greaterThan'],
      ['jsonpath', '$.albums.items[0].id', 'exists'],
    ]);
    assert.equal(step?.assertions[1]?.expected, 800);
  });

  it('reads several documents from one file, six-field cron, disabled monitors and json bodies', async () => {
    const catalog = new Catalog([path.join(fixtures, 'valid', 'several-documents.yml')], { CLIENT_ID: 'id' });
    await catalog.refresh();
    assert.deepEqual(catalog.invalid(), []);
    assert.deepEqual(catalog.monitors().map((m) => [m.name, m.enabled]), [['first', true], ['second', false]]);
    assert.deepEqual(catalog.counts(), { active: 1, disabled: 1, invalid: 0 });
  });

  it('refuses a monitor name used in two files, pointing at the first one in path order', async () => {
    const catalog = new Catalog([path.join(fixtures, 'valid'), path.join(fixtures, 'duplicate-name.yaml')], { CLIENT_ID: 'id', CLIENT_SECRET: 's' });
    await catalog.refresh();
    const [invalid] = catalog.invalid();
    assert.equal(invalid?.name, 'first');
    assert.match(invalid?.file ?? '', /several-documents\.yml$/);
    assert.match(invalid?.diagnostics[0]?.message ?? '', /^monitor name 'first' is already used at .*duplicate-name\.yaml:1:7; names must be unique across all files$/);
    assert.equal(catalog.monitors().filter((m) => m.name === 'first').length, 1);
  });
});

describe('the catalog reloading files whose bytes did not change', () => {
  const monitorWithSecret = 'name: cached\nschedule: "0 0 1 1 *"\nsteps:\n  - name: Ping\n    request:\n      url: "http://127.0.0.1:1/"\n      headers: { X-Key: "<<file.secret.txt>>" }\n';

  /** A folder with that monitor and its secret file, loaded once; `touch` changes the file's mtime only. */
  async function withLoadedCatalog(use: (catalog: Catalog, dir: string, touch: () => void) => Promise<void>): Promise<void> {
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-cache-'));
    try {
      const file = path.join(dir, 'm.yaml');
      writeFileSync(path.join(dir, 'secret.txt'), 'one');
      writeFileSync(file, monitorWithSecret);
      const catalog = new Catalog([dir], {});
      await catalog.refresh();
      await use(catalog, dir, () => utimesSync(file, new Date(), new Date(Date.now() + 60_000)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('does not compile a touched file again: the same monitor stays in force', () =>
    withLoadedCatalog(async (catalog, _dir, touch) => {
      const [before] = catalog.monitors();
      touch();
      assert.equal(await catalog.refresh(), false, 'nothing changed');
      assert.deepEqual([...catalog.lastReadFiles], []);
      assert.equal(catalog.monitors()[0], before, 'the very same compiled monitor');
    }));

  it('notices a file rewritten in place within its modification time granularity: same size, time and inode', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-racy-'));
    try {
      const file = path.join(dir, 'm.yaml');
      const version = (name: string) => `name: ${name}\nschedule: "0 0 1 1 *"\nsteps:\n  - name: Ping\n    request:\n      url: "http://127.0.0.1:1/"\n`;
      // A whole second just past: the same time a second write within a 1 s granularity would keep.
      const second = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
      writeFileSync(file, version('racy-one'));
      utimesSync(file, second, second);
      const catalog = new Catalog([dir], {});
      await catalog.refresh();
      const before = statSync(file);
      writeFileSync(file, version('racy-two'));
      utimesSync(file, second, second);
      const after = statSync(file);
      assert.deepEqual([after.mtimeMs, after.size, after.ino], [before.mtimeMs, before.size, before.ino], 'the stat cannot tell the two versions apart');
      assert.equal(await catalog.refresh(), true);
      assert.deepEqual(catalog.monitors().map((monitor) => monitor.name), ['racy-two']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('compiles a file again when a file its templates read changed, even if its own bytes did not', () =>
    withLoadedCatalog(async (catalog, dir, touch) => {
      assert.equal(catalog.monitors()[0]?.fileValues?.file('secret.txt'), 'one');
      writeFileSync(path.join(dir, 'secret.txt'), 'two!');
      touch();
      assert.equal(await catalog.refresh(), true);
      assert.equal(catalog.monitors()[0]?.fileValues?.file('secret.txt'), 'two!');
    }));
});
