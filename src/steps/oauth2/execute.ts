import type { OAuth2Action, Step } from '../../core/monitor.js';
import { failure } from '../../core/failure.js';
import type { StepFailure } from '../../core/failure.js';
import type { StepResult } from '../../core/results.js';
import { responseView } from '../../core/response-view.js';
import { passedStep, sendStepRequest } from '../send-step-request.js';
import { CorruptStoreError, tokenSlot, TokenLockTimeoutError } from '../../oauth2/refresh-token-store.js';
import { TokenCache } from '../../oauth2/token-cache.js';
import { describeOAuthError, readTokenSet, tokenFieldValues, tokensOf } from '../../oauth2/token-response.js';
import type { TokenSet } from '../../oauth2/token-response.js';
import { MissingValueError } from '../../templating/template.js';
import { AssertionKeyError } from '../../oauth2/client-assertion.js';
import { checkResponse } from '../check-response.js';
import { responseExcerpt } from '../response-excerpt.js';
import type { StepContext } from '../step-context.js';
import { renderTokenRequest } from './render-token-request.js';

type OAuth2Step = Step & { action: OAuth2Action };

/**
 * Runs an oauth2 step: a form-encoded token request (client credentials or refresh token),
 * judged like any response, whose tokens become custom.access_token, token_type, expires_in and
 * refresh_token. A refresh token is exchanged under the store's lock for its slot, and a rotated
 * one is stored before the lock is let go, so no other process spends the same token; with
 * reuseToken a valid access token is served from memory without a request.
 */
export async function executeOAuth2Step(step: OAuth2Step, context: StepContext): Promise<StepResult> {
  const started = performance.now();
  const slot = tokenSlot(context.monitor, step.name);
  const store = context.oauth2?.store;
  if (step.action.oauth2.grant !== 'refresh_token' || !store) return exchange(step, context, slot, undefined, started);
  const waitMs = Math.max(0, Math.min(step.action.oauth2.timeoutMs, context.deadline - performance.now()));
  try {
    return await store.withTokenLock(slot, (current) => exchange(step, context, slot, current, started), { waitMs });
  } catch (error) {
    if (error instanceof TokenLockTimeoutError) return { name: step.name, status: 'failed', durationMs: performance.now() - started, ...failure('timeout', error.message) };
    if (error instanceof CorruptStoreError) return { name: step.name, status: 'failed', durationMs: performance.now() - started, ...failure('template', error.message) };
    throw error;
  }
}

async function exchange(step: OAuth2Step, context: StepContext, slot: string, stored: string | undefined, started: number): Promise<StepResult> {
  const spec = step.action.oauth2;
  let rendered;
  try {
    rendered = await renderTokenRequest(spec, context, slot, stored);
  } catch (error) {
    if (error instanceof MissingValueError || error instanceof AssertionKeyError) {
      return { name: step.name, status: 'failed', durationMs: performance.now() - started, ...failure('template', error.message) };
    }
    throw error;
  }
  if ('problem' in rendered) return { name: step.name, status: 'failed', durationMs: performance.now() - started, ...failure('template', rendered.problem) };

  const cacheKey = TokenCache.key(rendered.identity);
  if (spec.reuseToken && context.oauth2) {
    const cached = context.oauth2.tokens.get(cacheKey);
    const tokens = context.oauth2.tokens;
    context.onUnauthorized.push(() => tokens.drop(cacheKey));
    if (cached) {
      expose(cached, context);
      return { name: step.name, status: 'passed', durationMs: performance.now() - started, message: 'reused a token that is still valid' };
    }
  }

  const sent = await sendStepRequest(step.name, rendered.request, spec.timeoutMs, context);
  if (!sent.response) return sent.unanswered;
  const { response, measured: base } = sent;
  const view = responseView(response.status, response.headers, response.body, sent.durationMs);
  const json = view.json();
  // Secrets first, by structure, even from an answer that is not a usable token set: whatever is
  // judged or reported next must already hide them.
  if ('value' in json) for (const token of tokenFieldValues(json.value)) context.redactor.add(token);
  const tokens = 'value' in json ? readTokenSet(json.value) : undefined;
  if (tokens) {
    // A rotated refresh token is stored even if an assertion fails below: the server has
    // already revoked the old one, and losing the new one would break every later run.
    if (tokens.refreshToken && context.oauth2 && tokens.refreshToken !== rendered.refreshToken) {
      await context.oauth2.store.put(slot, tokens.refreshToken);
    }
    expose(tokens, context);
  }
  const failed = (problem: StepFailure): StepResult => ({
    ...base,
    status: 'failed',
    httpStatus: response.status,
    ...problem,
    response: responseExcerpt(response.status, response.headers, view.text()),
  });
  const problem = checkResponse(step, view, context);
  if (problem) {
    const oauthError = 'value' in json ? describeOAuthError(json.value) : undefined;
    return failed({ ...problem, message: oauthError ? `${problem.message}: ${oauthError}` : problem.message });
  }
  if (!tokens) return failed(failure('extraction', `the token response has no access_token${'error' in json ? ` (${json.error})` : ''}`));
  if (spec.reuseToken) context.oauth2?.tokens.put(cacheKey, tokens);
  return passedStep(base, response.status);
}

/** Makes the tokens custom.* values; each joins the run's secret set first, reused ones included. */
function expose(tokens: TokenSet, context: StepContext): void {
  for (const token of tokensOf(tokens)) context.redactor.add(token);
  context.custom.set('access_token', tokens.accessToken);
  context.custom.set('token_type', tokens.tokenType);
  if (tokens.expiresIn !== undefined) context.custom.set('expires_in', String(tokens.expiresIn));
  if (tokens.refreshToken !== undefined) context.custom.set('refresh_token', tokens.refreshToken);
}

