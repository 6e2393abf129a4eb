import { createHash } from 'node:crypto';
import { validateDetailed } from 'node-cron';
import type { Monitor, Step } from '../core/monitor.js';
import { compileTimeout, MAX_RUN_TIMEOUT_MS } from './durations.js';
import { CompileContext } from './compile-context.js';
import { compileStep } from './compile-step.js';
import { checkReferences } from './check-references.js';
import { cronProblem } from './cron-fields.js';
import type { CronProblem } from './cron-fields.js';
import path from 'node:path';
import { checkStepCredentials, OAUTH2_OUTPUTS } from './compile-oauth2.js';
import { LoadedFileValues } from './file-values.js';
import type { Diagnostic } from './diagnostics.js';
import { validateSchema } from './validate-schema.js';
import { diagnosticAt } from './yaml-source.js';
import type { SourceDocument } from './yaml-source.js';

const DEFAULT_RUN_TIMEOUT_MS = 60_000;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// `le` and `quantile` belong to histograms and summaries (promtool refuses them elsewhere);
// `location` is added to every series in cluster mode.
const RESERVED_LABELS = new Set(['monitor', 'step', 'reason', 'phase', 'job', 'instance', 'location', 'le', 'quantile']);
/** A UTF-16 half without its other half: it has no UTF-8 form, and becomes U+FFFD in a label. */
const LONE_SURROGATE = /\p{Surrogate}/u;

export interface CompiledDocument {
  monitor?: Monitor;
  /** Files its templates read (`file.`, NAME_FILE), valid or not: a change to one reloads the document. */
  dependencies?: readonly string[];
  /** The name, when the document got far enough to have one (for duplicate checks and reports). */
  name?: string;
  diagnostics: Diagnostic[];
}

/** Validates one YAML document and compiles it into a runnable monitor, or says everything wrong with it. */
export function compileMonitor(source: SourceDocument, env: NodeJS.ProcessEnv): CompiledDocument {
  const { monitor: raw, diagnostics } = validateSchema(source);
  const ctx = new CompileContext(source);
  // Checked even when the schema found problems elsewhere, so the operator sees them all at once.
  const loose = (source.value ?? {}) as { name?: unknown; schedule?: unknown; timezone?: unknown };
  if (typeof loose.schedule === 'string') checkSchedule(loose.schedule, ctx);
  const timezone = typeof loose.timezone === 'string' ? loose.timezone : 'UTC';
  if (!isTimeZone(timezone)) ctx.error(['timezone'], `unknown time zone '${timezone}'; use an IANA name such as Europe/Berlin or UTC`);
  if (!raw) {
    const all = [...diagnostics, ...ctx.diagnostics].sort((a, b) => a.line - b.line || a.col - b.col);
    return { diagnostics: all, ...(typeof loose.name === 'string' ? { name: loose.name } : {}) };
  }
  for (const label of Object.keys(raw.labels ?? {})) {
    if (!LABEL_NAME.test(label) || label.startsWith('__') || RESERVED_LABELS.has(label)) {
      ctx.error(['labels', label], `'${label}' cannot be a Prometheus label name here: use letters, digits and '_', not starting with '__' and not one of ${[...RESERVED_LABELS].join(', ')}`, { key: true });
    }
  }
  ctx.runTimeoutMs = compileTimeout(raw.timeout, ['timeout'], ctx, DEFAULT_RUN_TIMEOUT_MS, MAX_RUN_TIMEOUT_MS, "a run's bound");
  for (const [label, value] of Object.entries(raw.labels ?? {})) {
    if (LONE_SURROGATE.test(value)) ctx.error(['labels', label], `label ${label}'s value has a lone UTF-16 surrogate, which cannot be written as UTF-8; remove it`);
  }
  const seen = new Map<string, number>();
  const steps: Array<Step | undefined> = raw.steps.map((rawStep, index) => {
    if (LONE_SURROGATE.test(rawStep.name)) {
      ctx.error(['steps', index, 'name'], `step name '${rawStep.name.replace(/\p{Surrogate}/gu, '\uFFFD')}' has a lone UTF-16 surrogate (shown as \uFFFD), which cannot be written as UTF-8; two such names would become one label`);
    }
    const earlier = seen.get(rawStep.name);
    if (earlier !== undefined) ctx.error(['steps', index, 'name'], `step name '${rawStep.name}' is already used by step ${earlier + 1}; step names must be unique within a monitor`);
    seen.set(rawStep.name, index);
    return compileStep(rawStep, ['steps', index], ctx);
  });
  const fileValues = new LoadedFileValues(path.dirname(path.resolve(source.file)));
  checkReferences(raw.steps.map((step) => [...Object.keys(step.extract ?? {}), ...(step.oauth2 ? OAUTH2_OUTPUTS : [])]), ctx, env, fileValues);
  checkStepCredentials(steps, ctx, env, fileValues);
  const dependencies = fileValues.paths;
  if (ctx.diagnostics.length > 0) return { name: raw.name, dependencies, diagnostics: ctx.diagnostics.sort((a, b) => a.line - b.line || a.col - b.col) };
  const position = source.namePosition ? { file: source.file, ...source.namePosition } : diagnosticAt(source, ['name'], '');
  return {
    name: raw.name,
    diagnostics: [],
    dependencies,
    monitor: {
      name: raw.name,
      ...(raw.description !== undefined ? { description: raw.description } : {}),
      schedule: raw.schedule.trim(),
      timezone,
      timeoutMs: ctx.runTimeoutMs,
      retries: raw.retries ?? 0,
      labels: raw.labels ?? {},
      enabled: raw.enabled ?? true,
      ...(raw.locations ? { locations: raw.locations } : {}),
      steps: steps as Step[],
      source: { file: position.file, line: position.line, col: position.col },
      revision: createHash('sha256').update(JSON.stringify(source.value)).digest('base64url').slice(0, 16),
      ...(fileValues.paths.length > 0 ? { fileValues } : {}),
    },
  };
}

function checkSchedule(schedule: string, ctx: CompileContext): void {
  const problem = scheduleProblem(schedule);
  if (problem) ctx.error(['schedule'], problem.message, problem.at !== undefined ? { needle: schedule, within: problem.at } : {});
}

// Both checks are pure and cost ~0.1 ms each (node-cron's parser, Intl); monitors share few
// schedules and zones. The caches are bounded so generated files cannot grow them for ever.
const MAX_CACHED = 1_000;
const scheduleProblems = new Map<string, CronProblem | undefined>();
const timeZones = new Map<string, boolean>();

function scheduleProblem(schedule: string): CronProblem | undefined {
  if (scheduleProblems.has(schedule)) return scheduleProblems.get(schedule);
  // Bounds first: node-cron expands every range, so it only sees what is known to be small.
  let problem = cronProblem(schedule);
  if (!problem) {
    const result = validateDetailed(schedule.trim());
    if (!result.valid) {
      const detail = result.errors.map((e) => `${e.field}: ${e.message.replace(/ a invalid /, ' an invalid ')}`).join('; ');
      problem = { message: `schedule '${schedule}' is not a valid cron expression (${detail})` };
    } else {
      const days = dayFieldsProblem(schedule, schedule.trim().split(/\s+/));
      if (days) problem = { message: days };
    }
  }
  if (scheduleProblems.size >= MAX_CACHED) scheduleProblems.clear();
  scheduleProblems.set(schedule, problem);
  return problem;
}

/**
 * crontab runs a schedule that restricts both the day of month and the day of week when EITHER
 * matches (`0 9 1 * 1`: the 1st, and every Monday); node-cron only when BOTH do (a Monday that is
 * the 1st). Rather than run such a schedule differently from what its author expects, it is
 * refused. As in Vixie cron, a field starting with `*` (or `?`) does not restrict.
 */
function dayFieldsProblem(schedule: string, fields: string[]): string | undefined {
  const dayOfMonth = fields[fields.length - 3] ?? '*';
  const dayOfWeek = fields[fields.length - 1] ?? '*';
  const restricts = (field: string) => !field.startsWith('*') && field !== '?';
  if (!restricts(dayOfMonth) || !restricts(dayOfWeek)) return undefined;
  return `schedule '${schedule}' restricts both the day of month (${dayOfMonth}) and the day of week (${dayOfWeek}): crontab would run it when either matches, but stepwatch's scheduler only when both do; keep one of them '*' (use two monitors for "either")`;
}

function isTimeZone(name: string): boolean {
  let known = timeZones.get(name);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      known = true;
    } catch {
      known = false;
    }
    if (timeZones.size >= MAX_CACHED) timeZones.clear();
    timeZones.set(name, known);
  }
  return known;
}
