import { envValue } from '../templating/template.js';
import type { CompileContext, PlacedReference } from './compile-context.js';

/**
 * The load-time checks of templates: an `env.` name must be set, and a `custom.` name must be
 * extracted by an earlier step (a value can only flow forward through a run).
 */
export function checkReferences(extractedByStep: string[][], ctx: CompileContext, env: NodeJS.ProcessEnv): void {
  // The first step that extracts each name: linear in the steps (a set per step was quadratic).
  const firstExtractedAt = new Map<string, number>();
  extractedByStep.forEach((names, index) => {
    for (const name of names) if (!firstExtractedAt.has(name)) firstExtractedAt.set(name, index);
  });
  for (const placed of ctx.references) checkOne(placed, ctx, env, firstExtractedAt);
}

function checkOne(placed: PlacedReference, ctx: CompileContext, env: NodeJS.ProcessEnv, firstExtractedAt: Map<string, number>): void {
  const { ref, path } = placed;
  if (ref.namespace === 'env') {
    if (envValue(env, ref.name) === undefined) {
      ctx.error(path, `environment variable ${ref.name} is not set (used as ${ref.raw}); set it before running stepwatch`, { needle: ref.raw });
    }
    return;
  }
  const stepIndex = path[0] === 'steps' && typeof path[1] === 'number' ? path[1] : -1;
  const at = firstExtractedAt.get(ref.name);
  if (at === undefined || at >= stepIndex) {
    const known = [...firstExtractedAt].filter(([, index]) => index < stepIndex).map(([name]) => name);
    const hint = known.length > 0 ? `earlier steps extract: ${known.join(', ')}` : 'no earlier step extracts anything';
    ctx.error(path, `custom.${ref.name} is not extracted by an earlier step (${hint}); add it under extract: in a step before this one`, { needle: ref.raw });
  }
}
