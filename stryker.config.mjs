import process from 'node:process';

// Mutation testing: `npm run mutation` (every module below; not part of the npm test gate, it
// takes long), or one module: `STRYKER_MODULE=templating npm run mutation`. Each test file runs
// in its own Node process with tsx through Stryker's tap runner (node:test prints TAP when told
// to). Scores and accepted survivors: docs/testing.md.

/**
 * Each module with the test files that exercise it. `build`: some of them run the built CLI
 * (dist/), so the sandbox builds dist from the mutated sources; the CLI child inherits the
 * active mutant through the environment (Stryker's instrumented code reads it there).
 */
const MODULES = {
  templating: { mutate: ['src/templating/**/*.ts'], tests: ['test/unit/templating.test.ts', 'test/integration/runner.test.ts'] },
  redaction: { build: true, mutate: ['src/redaction/**/*.ts'], tests: ['test/unit/redactor.test.ts', 'test/unit/redact-run.test.ts', 'test/integration/redaction.test.ts', 'test/integration/runner.test.ts', 'test/unit/property.test.ts'] },
  assertions: { mutate: ['src/assertions/**/*.ts'], tests: ['test/unit/assertions.test.ts', 'test/unit/operators.test.ts', 'test/integration/runner.test.ts', 'test/unit/property.test.ts'] },
  scheduler: { mutate: ['src/schedule/**/*.ts'], tests: ['test/integration/scheduler.test.ts', 'test/unit/run-limiter.test.ts', 'test/unit/scheduler.test.ts', 'test/unit/watch-monitors.test.ts'] },
  // Exposition: the series a run, a reload and a restored outcome set, and their text (gzip-segments.ts, the compression, has its own unit test).
  metrics: {
    mutate: ['src/metrics/exposition.ts', 'src/metrics/metrics-observer.ts', 'src/metrics/monitor-block.ts', 'src/metrics/monitor-families.ts', 'src/metrics/monitor-series.ts'],
    tests: ['test/unit/metrics-restore.test.ts', 'test/integration/metrics.test.ts', 'test/integration/daemon.test.ts'],
  },
  oauth2: {
    mutate: ['src/steps/oauth2/**/*.ts', 'src/oauth2/token-cache.ts'],
    tests: ['test/integration/oauth2-step.test.ts', 'test/integration/oauth2-step-edges.test.ts', 'test/integration/oauth2-token-reuse.test.ts', 'test/integration/oidc-provider.test.ts', 'test/integration/private-key-jwt.test.ts', 'test/integration/refresh-token-store.test.ts'],
  },
};

const chosen = process.env.STRYKER_MODULE ? [MODULES[process.env.STRYKER_MODULE]] : Object.values(MODULES);
if (chosen.includes(undefined)) throw new Error(`STRYKER_MODULE must be one of ${Object.keys(MODULES).join(', ')}`);
const name = process.env.STRYKER_MODULE ?? 'all';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'tap',
  plugins: ['@stryker-mutator/tap-runner'],
  tap: {
    testFiles: [...new Set(chosen.flatMap((module) => module.tests))],
    nodeArgs: ['--import', 'tsx', '--test-reporter=tap'],
  },
  mutate: chosen.flatMap((module) => module.mutate),
  ...(chosen.some((module) => module.build) ? { buildCommand: 'npm run build' } : {}),
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  // `npm run mutation -- --incremental` re-tests only the mutants whose code or tests changed.
  incrementalFile: `reports/mutation/${name}-incremental.json`,
  ignorePatterns: ['dist', 'bench/results', 'test-artifacts', 'data', 'reports', '.stryker-tmp'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
