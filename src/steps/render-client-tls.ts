import type { ClientTlsSpec } from '../core/monitor.js';
import type { ClientTls } from '../http/client-tls.js';
import type { SecretSink } from '../http/wire-format.js';
import { render } from '../templating/template.js';
import type { Resolve } from '../templating/template.js';

/** Fills a step's `tls:` PEMs; the key and its passphrase are secrets whatever template filled them. */
export function renderClientTls(spec: ClientTlsSpec | undefined, resolve: Resolve, secrets: SecretSink): ClientTls | undefined {
  if (!spec) return undefined;
  const out: ClientTls = {};
  for (const field of ['ca', 'cert', 'key', 'passphrase'] as const) {
    const template = spec[field];
    if (!template) continue;
    const value = render(template, resolve);
    if (field === 'key' || field === 'passphrase') secrets.add(value);
    out[field] = value;
  }
  return out;
}

export function withTls(tls: ClientTls | undefined): { clientTls?: ClientTls } {
  return tls ? { clientTls: tls } : {};
}
