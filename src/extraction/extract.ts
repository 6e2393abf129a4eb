import type { Extraction, ExtractionSource } from '../core/monitor.js';
import type { ResponseView } from '../core/response-view.js';
import { queryJsonPath } from './jsonpath.js';

export type ExtractOutcome = { value: string } | { error: string };

type Extractor = (expression: string, response: ResponseView) => ExtractOutcome;

/** One extractor per source; a new source is one entry here and one in the schema. */
const extractors = {
  jsonpath(expression, response) {
    const json = response.json();
    if ('error' in json) return { error: `cannot extract ${expression}: ${json.error}` };
    const [first] = queryJsonPath(expression, json.value);
    if (first === undefined) return { error: `JSONPath ${expression} matched nothing` };
    return { value: typeof first === 'string' ? first : JSON.stringify(first) };
  },
  header(expression, response) {
    const value = response.header(expression);
    return value === undefined ? { error: `header ${expression} is not in the response` } : { value };
  },
  regex(expression, response) {
    const match = new RegExp(expression).exec(response.text());
    if (!match) return { error: `regex ${expression} matched nothing in the body` };
    return { value: match[1] ?? match[0] };
  },
} satisfies Record<ExtractionSource, Extractor>;

export function extract(extraction: Extraction, response: ResponseView): ExtractOutcome {
  return extractors[extraction.source](extraction.expression, response);
}
