import type { Extraction, ExtractionSource } from '../core/monitor.js';
import type { ResponseView } from '../core/response-view.js';
import { boundedExec, MAX_REGEX_MS, RegexSyntaxError, RegexTimeoutError } from './bounded-regex.js';
import { JsonPathBudgetError, queryJsonPath } from './jsonpath.js';

export type ExtractOutcome = { value: string } | { error: string };

type Extractor = (expression: string, response: ResponseView, regexMs: number) => ExtractOutcome;

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
  regex(expression, response, regexMs) {
    const match = boundedExec(expression, '', response.text(), regexMs);
    if (!match) return { error: `regex ${expression} matched nothing in the body` };
    return { value: match[1] ?? match[0] ?? '' };
  },
} satisfies Record<ExtractionSource, Extractor>;

/** Extracts one value; a bound the answer or pattern exceeds (JSONPath visits, regex time) is an error naming it. */
export function extract(extraction: Extraction, response: ResponseView, regexMs = MAX_REGEX_MS): ExtractOutcome {
  try {
    return extractors[extraction.source](extraction.expression, response, regexMs);
  } catch (error) {
    if (error instanceof JsonPathBudgetError || error instanceof RegexTimeoutError || error instanceof RegexSyntaxError) return { error: error.message };
    throw error;
  }
}
