import type { Extraction, RequestBody, RequestSpec, Step, StepAction } from '../core/monitor.js';
import { compileClientTls, withClientTls } from './compile-tls.js';
import { compileOAuth2 } from './compile-oauth2.js';
import { checkStaticUrl } from './check-url.js';
import { compileTimeout } from './durations.js';
import { jsonPathProblem } from '../extraction/jsonpath.js';
import type { CompileContext } from './compile-context.js';
import { compileAssertions } from './compile-assertions.js';
import type { RawRequest, RawStep } from './schema.js';
import type { Path } from './yaml-source.js';

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What Node refuses in a header value (RFC 9110 5.5: visible Latin-1, space and tab). */
const NOT_HEADER_TEXT = /[^\t\x20-\x7e\x80-\xff]/u;
const EXTRACTION_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function compileStep(raw: RawStep, path: Path, ctx: CompileContext): Step | undefined {
  if (raw.request && raw.oauth2) {
    ctx.error([...path, 'oauth2'], `step '${raw.name}' has both request and oauth2; a step does one of them`, { key: true });
    return undefined;
  }
  let action: StepAction;
  if (raw.request) action = { kind: 'request', request: compileRequest(raw.request, [...path, 'request'], ctx) };
  else if (raw.oauth2) action = { kind: 'oauth2', oauth2: compileOAuth2(raw.oauth2, [...path, 'oauth2'], ctx) };
  else {
    ctx.error(path, `step '${raw.name}' needs an action: add a request: block with at least a url, or an oauth2: block`);
    return undefined;
  }
  const assertions = compileAssertions(raw.assert, [...path, 'assert'], ctx);
  return {
    name: raw.name,
    action,
    assertions,
    extractions: compileExtractions(raw.extract, [...path, 'extract'], ctx),
    hasStatusAssertion: raw.assert?.status !== undefined,
  };
}

function compileRequest(raw: RawRequest, path: Path, ctx: CompileContext): RequestSpec {
  const url = ctx.template(raw.url, [...path, 'url']);
  if (url.parts.length === 1 && typeof url.parts[0] === 'string') checkStaticUrl(raw.url, [...path, 'url'], ctx);
  for (const [name, value] of Object.entries(raw.headers ?? {})) {
    if (!HEADER_NAME.test(name)) ctx.error([...path, 'headers', name], `'${name}' is not a valid HTTP header name`, { key: true });
    // What the file writes itself is checked now; rendered values are checked when they are sent.
    const bad = NOT_HEADER_TEXT.exec(String(value).replace(/<<[^<>]*>>/g, ''));
    if (bad) {
      const shown = JSON.stringify(bad[0]).slice(1, -1);
      ctx.error([...path, 'headers', name], `header ${name} has '${shown}', which an HTTP header cannot carry (Latin-1 text only, no control characters); percent-encode it or send it in the body`, { needle: bad[0] });
    }
  }
  const bodies = (['body', 'form', 'json'] as const).filter((key) => raw[key] !== undefined);
  if (bodies.length > 1) {
    ctx.error([...path, bodies[1] ?? 'body'], `use only one of body, form and json in a request (found ${bodies.join(' and ')})`, { key: true });
  }
  return {
    method: raw.method ?? 'GET',
    url,
    query: ctx.scalarEntries(raw.query, [...path, 'query']),
    headers: ctx.scalarEntries(raw.headers, [...path, 'headers']),
    ...compileAuth(raw, path, ctx),
    ...compileBody(raw, path, ctx),
    timeoutMs: compileTimeout(raw.timeout, [...path, 'timeout'], ctx, DEFAULT_REQUEST_TIMEOUT_MS, ctx.runTimeoutMs, "the run's timeout"),
    followRedirects: raw.followRedirects ?? true,
    insecureSkipVerify: raw.tls?.insecureSkipVerify ?? false,
    ...withClientTls(compileClientTls(raw.tls, [...path, 'tls'], ctx)),
  };
}


function compileAuth(raw: RawRequest, path: Path, ctx: CompileContext): Pick<RequestSpec, 'auth'> {
  if (raw.auth?.basic) {
    const at = [...path, 'auth', 'basic'];
    return {
      auth: {
        kind: 'basic',
        username: ctx.template(raw.auth.basic.username, [...at, 'username']),
        password: ctx.template(raw.auth.basic.password, [...at, 'password']),
      },
    };
  }
  if (raw.auth?.bearer !== undefined) return { auth: { kind: 'bearer', token: ctx.template(raw.auth.bearer, [...path, 'auth', 'bearer']) } };
  return {};
}

function compileBody(raw: RawRequest, path: Path, ctx: CompileContext): { body?: RequestBody } {
  if (raw.body !== undefined) return { body: { kind: 'raw', value: ctx.template(raw.body, [...path, 'body']) } };
  if (raw.form !== undefined) return { body: { kind: 'form', fields: ctx.scalarEntries(raw.form, [...path, 'form']) } };
  if (raw.json !== undefined) return { body: { kind: 'json', value: ctx.jsonTemplate(raw.json, [...path, 'json']) } };
  return {};
}

function compileExtractions(raw: RawStep['extract'], path: Path, ctx: CompileContext): Extraction[] {
  const extractions: Extraction[] = [];
  for (const [name, spec] of Object.entries(raw ?? {})) {
    const at = [...path, name];
    if (!EXTRACTION_NAME.test(name)) ctx.error(at, `extraction name '${name}' must be letters, digits, '_', '.' or '-', starting with a letter or '_'`, { key: true });
    const extraction = typeof spec === 'string' ? { name, source: 'jsonpath' as const, expression: spec, secret: false } : objectExtraction(name, spec, at, ctx);
    if (!extraction) continue;
    if (extraction.source === 'jsonpath') {
      const problem = jsonPathProblem(extraction.expression);
      if (problem) ctx.error(typeof spec === 'string' ? at : [...at, 'jsonpath'], problem);
    }
    if (extraction.source === 'regex') checkCaptureRegex(extraction.expression, [...at, 'regex'], ctx);
    extractions.push(extraction);
  }
  return extractions;
}

function objectExtraction(name: string, spec: Exclude<NonNullable<RawStep['extract']>[string], string>, path: Path, ctx: CompileContext): Extraction | undefined {
  const sources = (['jsonpath', 'header', 'regex'] as const).filter((key) => spec[key] !== undefined);
  const [source] = sources;
  if (sources.length !== 1 || source === undefined) {
    ctx.error(path, `extraction '${name}' needs exactly one of jsonpath, header or regex${sources.length > 1 ? ` (found ${sources.join(' and ')})` : ''}`);
    return undefined;
  }
  const expression = spec[source] as string;
  return { name, source, expression: source === 'header' ? expression.toLowerCase() : expression, secret: spec.secret ?? false };
}

function checkCaptureRegex(pattern: string, path: Path, ctx: CompileContext): void {
  try {
    new RegExp(pattern);
  } catch (error) {
    ctx.error(path, `not a valid regular expression: ${(error as Error).message}`);
    return;
  }
  if (!/\((?!\?)/.test(pattern.replace(/\\./g, ''))) ctx.error(path, `regex needs a capture group, e.g. 'token=([a-z0-9]+)': the first group is extracted`);
}
