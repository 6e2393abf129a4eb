import type { RunResult } from '../core/results.js';
import { redactRun } from '../redaction/redact-run.js';

/**
 * Characters XML 1.0 cannot carry at all, even escaped (section 2.2): most C0 controls, U+FFFE,
 * U+FFFF and UTF-16 halves without their other half. They become U+FFFD, so a report from a
 * body or a step name holding them stays well-formed.
 */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Surrogate}/gu;

export function escapeXml(text: string): string {
  return text
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c)
    .replace(NOT_XML, '\uFFFD');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** JUnit XML: a testsuite per monitor, a testcase per step, for CI systems that read it; built from redacted runs. */
export function renderJunit(runs: RunResult[]): string {
  const results = runs.map(redactRun);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = results.reduce((n, r) => n + r.steps.filter((s) => s.status === 'failed').length, 0);
  const tests = results.reduce((n, r) => n + r.steps.length, 0);
  const total = results.reduce((n, r) => n + r.durationMs, 0);
  out.push(`<testsuites name="stepwatch" tests="${tests}" failures="${failures}" time="${seconds(total)}">`);
  for (const result of results) {
    const failed = result.steps.filter((s) => s.status === 'failed').length;
    const skipped = result.steps.filter((s) => s.status === 'skipped').length;
    out.push(`  <testsuite name="${escapeXml(result.monitor)}" tests="${result.steps.length}" failures="${failed}" skipped="${skipped}" time="${seconds(result.durationMs)}">`);
    for (const step of result.steps) {
      const open = `    <testcase classname="${escapeXml(result.monitor)}" name="${escapeXml(step.name)}" time="${seconds(step.durationMs)}"`;
      if (step.status === 'passed') out.push(`${open}/>`);
      else if (step.status === 'skipped') out.push(`${open}><skipped message="an earlier step failed"/></testcase>`);
      else {
        const message = escapeXml(step.message ?? '');
        out.push(`${open}><failure type="${step.reason ?? 'failure'}" message="${message}">${message}</failure></testcase>`);
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
