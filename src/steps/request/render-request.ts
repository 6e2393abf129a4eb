import type { RequestSpec } from '../../core/monitor.js';
import { authHeaderBuilders } from '../../auth/request-auth.js';
import { formBody, isSensitiveHeader } from '../../http/wire-format.js';
import { render, renderJson } from '../../templating/template.js';
import type { HttpRequest } from '../../http/send-request.js';
import { headerValueProblem } from '../../http/header-value.js';
import { RenderProblem } from '../render-problem.js';
import { renderClientTls, withTls } from '../render-client-tls.js';
import type { StepContext } from '../step-context.js';
import { resolverFor } from '../step-context.js';

/**
 * Fills a request spec's templates for this run. Secret env values join the run's secret set as
 * they are inserted (see resolverFor); values inserted into a credential header, and the values
 * that fill `auth` in the forms the Authorization header carries them, join it too. Throws MissingValueError for a reference with no value, and
 * RenderProblem for a value that cannot be sent (a URL that is not one, a header value with CR/LF
 * or outside Latin-1).
 */
export function renderRequest(spec: RequestSpec, context: StepContext): Omit<HttpRequest, 'timeoutMs'> {
  const resolve = resolverFor(context);
  const url = parseUrl(render(spec.url, resolve));
  for (const [name, value] of spec.query) url.searchParams.append(name, render(value, resolve));
  const headers: Record<string, string> = {};
  // A value inserted into a credential header is a credential, whatever its name; a header that
  // receives a secret (an API key) is one too, and is not handed to another origin on a redirect.
  const secretHeaders: string[] = [];
  for (const [name, value] of spec.headers) {
    const header = name.toLowerCase();
    const rendered = render(value, resolve, (_ref, inserted) => {
      if (isSensitiveHeader(header)) context.redactor.add(inserted);
      else if (context.redactor.isSecret(inserted) && !secretHeaders.includes(header)) secretHeaders.push(header);
    });
    const problem = headerValueProblem(rendered);
    if (problem) throw new RenderProblem(`header ${name}: the rendered value ${problem}`);
    headers[header] = rendered;
  }
  if (spec.auth?.kind === 'basic') {
    const username = render(spec.auth.username, resolve);
    const password = render(spec.auth.password, resolve);
    headers.authorization = authHeaderBuilders.basic({ username, password }, context.redactor);
  } else if (spec.auth?.kind === 'bearer') {
    headers.authorization = authHeaderBuilders.bearer(render(spec.auth.token, resolve), context.redactor);
  }
  let body: Buffer | undefined;
  if (spec.body?.kind === 'raw') {
    body = Buffer.from(render(spec.body.value, resolve));
  } else if (spec.body?.kind === 'form') {
    body = Buffer.from(formBody(spec.body.fields.map(([name, value]) => [name, render(value, resolve)])));
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (spec.body?.kind === 'json') {
    body = Buffer.from(JSON.stringify(renderJson(spec.body.value, resolve)));
    headers['content-type'] ??= 'application/json';
  }
  return {
    method: spec.method,
    url,
    headers,
    body,
    followRedirects: spec.followRedirects,
    insecureSkipVerify: spec.insecureSkipVerify,
    ...(secretHeaders.length > 0 ? { secretHeaders } : {}),
    ...withTls(renderClientTls(spec.clientTls, resolve, context.redactor)),
  };
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new RenderProblem(`the request URL '${text}' is not a valid URL`);
  }
}
