import type { RunResult } from '../core/results.js';
import { renderJson } from './json-report.js';
import { renderJunit } from './junit-report.js';
import { renderPretty } from './pretty-report.js';

export const REPORTERS = ['pretty', 'json', 'junit'] as const;
export type ReporterName = (typeof REPORTERS)[number];

/** One renderer per reporter name; `stepwatch run --reporter NAME` looks here. */
export const reporters = {
  pretty: renderPretty,
  json: renderJson,
  junit: renderJunit,
} satisfies Record<ReporterName, (results: RunResult[]) => string>;

export function isReporterName(name: string): name is ReporterName {
  return (REPORTERS as readonly string[]).includes(name);
}
