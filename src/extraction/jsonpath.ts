import { JSONPath } from 'jsonpath-plus';

/** Why a JSONPath expression cannot be used, or `undefined` when it can; checked at load time. */
export function jsonPathProblem(path: string): string | undefined {
  if (!path.startsWith('$')) return `JSONPath '${path}' must start with '$', e.g. $.access_token`;
  let segments: string[];
  try {
    segments = JSONPath.toPathArray(path);
  } catch (error) {
    return `JSONPath '${path}' is not valid: ${(error as Error).message}`;
  }
  const script = segments.find((segment) => segment.startsWith('?(') || segment.startsWith('('));
  if (script !== undefined) {
    return `JSONPath '${path}' uses a script expression [${script}], which stepwatch never evaluates; select by index or name instead, e.g. $.items[0].id`;
  }
  return undefined;
}

/** Every match of `path` in `json`; script evaluation is off, whatever the expression says. */
export function queryJsonPath(path: string, json: unknown): unknown[] {
  if (json === null || typeof json !== 'object') return [];
  return JSONPath({ path, json, wrap: true, eval: false }) as unknown[];
}
