import { compileText } from '../../src/config/load-file.js';
import type { Monitor, RequestSpec, Step } from '../../src/core/monitor.js';

/** Compiles monitor YAML written in a test; fails the test with the diagnostics if it is invalid. */
export function monitorFromYaml(yaml: string, env: NodeJS.ProcessEnv = {}): Monitor {
  const loaded = compileText('test.yaml', 'test.yaml', yaml, env);
  const [doc] = loaded.documents;
  if (!doc?.monitor) throw new Error(`monitor did not compile:\n${loaded.documents.flatMap((d) => d.diagnostics).map((d) => `${d.line}:${d.col}: ${d.message}`).join('\n')}`);
  return doc.monitor;
}

export function diagnosticsOf(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  return compileText('test.yaml', 'test.yaml', yaml, env).documents.flatMap((d) => d.diagnostics).map((d) => `${d.line}:${d.col}: ${d.message}`);
}

/** The request of a request step, for tests that look inside one. */
export function requestOf(step: Step | undefined): RequestSpec | undefined {
  return step?.action.kind === 'request' ? step.action.request : undefined;
}
