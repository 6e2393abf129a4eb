import type { CompileContext } from './compile-context.js';
import type { Path } from './yaml-source.js';

/** A URL written without templates is checked at load time: absolute, http or https. */
export function checkStaticUrl(text: string, path: Path, ctx: CompileContext): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.error(path, `'${text}' is not an absolute URL; write it as https://host/path`);
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') ctx.error(path, `URL scheme ${url.protocol} is not supported; use http: or https:`);
}
