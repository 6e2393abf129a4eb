import { envValue } from '../templating/template.js';
import type { CompileContext, PlacedReference } from './compile-context.js';
import type { LoadedFileValues } from './file-values.js';

/**
 * The load-time checks of templates: an `env.` name must be set (or its `NAME_FILE` readable),
 * a `file.` path readable, and a `custom.` name extracted by an earlier step (a value can only
 * flow forward through a run). The files are read here, once per load, into `values`.
 */
export function checkReferences(extractedByStep: string[][], ctx: CompileContext, env: NodeJS.ProcessEnv, values: LoadedFileValues): void {
  // The first step that extracts each name: linear in the steps (a set per step was quadratic).
  const firstExtractedAt = new Map<string, number>();
  extractedByStep.forEach((names, index) => {
    for (const name of names) if (!firstExtractedAt.has(name)) firstExtractedAt.set(name, index);
  });
  for (const placed of ctx.references) checkOne(placed, ctx, env, firstExtractedAt, values);
}

function checkOne(placed: PlacedReference, ctx: CompileContext, env: NodeJS.ProcessEnv, firstExtractedAt: Map<string, number>, values: LoadedFileValues): void {
  const { ref, path } = placed;
  if (ref.namespace === 'env') {
    if (envValue(env, ref.name) !== undefined) return;
    const file = envValue(env, `${ref.name}_FILE`);
    const problem = file === undefined ? 'not set' : values.loadEnvFile(ref.name, file);
    if (problem === 'not set') {
      ctx.error(path, `environment variable ${ref.name} is not set (used as ${ref.raw}), nor ${ref.name}_FILE; set one before running stepwatch`, { needle: ref.raw });
    } else if (problem) {
      ctx.error(path, `environment variable ${ref.name} is not set and ${ref.name}_FILE names a file stepwatch cannot use: ${problem}`, { needle: ref.raw });
    }
    return;
  }
  if (ref.namespace === 'file') {
    const problem = values.loadFile(ref.name);
    if (problem) ctx.error(path, `${ref.raw} cannot be used: ${problem}`, { needle: ref.raw });
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
