import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { ClientTlsSpec, FileValues } from '../core/monitor.js';
import { render } from '../templating/template.js';
import type { Template } from '../templating/template.js';
import { loadedValue } from '../templating/loaded-values.js';
import type { CompileContext } from './compile-context.js';
import type { RawTls } from './schema.js';
import type { Path } from './yaml-source.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The PEM fields of a `tls:` block as templates; checked once the files are read (checkTls). */
export function compileClientTls(raw: RawTls | undefined, path: Path, ctx: CompileContext): ClientTlsSpec | undefined {
  if (!raw) return undefined;
  const spec: ClientTlsSpec = {};
  for (const field of ['ca', 'cert', 'key', 'passphrase'] as const) {
    const value = raw[field];
    if (value !== undefined) spec[field] = ctx.template(value, [...path, field]);
  }
  if ((spec.cert === undefined) !== (spec.key === undefined)) {
    ctx.error([...path, spec.cert ? 'cert' : 'key'], 'mutual TLS needs both cert and key: give the client certificate and its private key', { key: true });
  }
  if (spec.passphrase && !spec.key) ctx.error([...path, 'passphrase'], 'passphrase is for an encrypted key: give key too', { key: true });
  return Object.keys(spec).length > 0 ? spec : undefined;
}

export function withClientTls(spec: ClientTlsSpec | undefined): { clientTls?: ClientTlsSpec } {
  return spec ? { clientTls: spec } : {};
}

/** A template's value at load time, when it has no `custom.` part (those are only known in a run). */
export function loadTimeValue(template: Template, env: NodeJS.ProcessEnv, values: FileValues): string | undefined {
  try {
    return render(template, (ref) => loadedValue(ref, env, values));
  } catch {
    return undefined;
  }
}

/**
 * Checks the PEM a `tls:` block will send, as soon as it is known: each CA and the client
 * certificate parse, the key parses (with its passphrase), and the key belongs to the
 * certificate. A wrong file is then a load error at its line, not a failed run at 3 AM.
 */
export function checkTls(spec: ClientTlsSpec | undefined, path: Path, ctx: CompileContext, env: NodeJS.ProcessEnv, values: FileValues): void {
  if (!spec) return;
  const at = (field: string) => [...path, field];
  const value = (template: Template | undefined) => (template ? loadTimeValue(template, env, values) : undefined);
  const ca = value(spec.ca);
  if (ca !== undefined) {
    const certificates = ca.match(PEM_CERTIFICATE) ?? [];
    if (certificates.length === 0) ctx.error(at('ca'), 'ca holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
    for (const [index, pem] of certificates.entries()) {
      const problem = certificateProblem(pem);
      if (problem) ctx.error(at('ca'), `certificate ${index + 1} of ca is not usable: ${problem}`);
    }
  }
  const certPem = value(spec.cert);
  const certificate = certPem === undefined ? undefined : parseCertificate(certPem);
  if (typeof certificate === 'string') ctx.error(at('cert'), `cert is not a usable PEM certificate: ${certificate}`);
  const keyPem = value(spec.key);
  if (keyPem === undefined) return;
  const key = parsePrivateKey(keyPem, value(spec.passphrase));
  if (typeof key === 'string') {
    ctx.error(at('key'), `key is not a usable PEM private key: ${key}`);
    return;
  }
  if (certificate instanceof X509Certificate && !certificate.checkPrivateKey(key)) {
    ctx.error(at('key'), 'key does not belong to cert: the server would refuse the handshake; give the private key of this certificate');
  }
}

/** A private key from PEM, or why not; used by mutual TLS and by private_key_jwt. */
export function parsePrivateKey(pem: string, passphrase?: string): KeyObject | string {
  try {
    return createPrivateKey({ key: pem, format: 'pem', ...(passphrase !== undefined ? { passphrase } : {}) });
  } catch (error) {
    return describe(error);
  }
}

function parseCertificate(pem: string): X509Certificate | string {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    return describe(error);
  }
}

function certificateProblem(pem: string): string | undefined {
  const parsed = parseCertificate(pem);
  return typeof parsed === 'string' ? parsed : undefined;
}

/** OpenSSL's message without its codes, and never the PEM itself. */
function describe(error: unknown): string {
  const { code, message, reason } = error as NodeJS.ErrnoException & { reason?: string };
  // OpenSSL 3 reports an encrypted key without a passphrase as an interrupted prompt.
  if (code === 'ERR_MISSING_PASSPHRASE' || code === 'ERR_OSSL_CRYPTO_INTERRUPTED_OR_CANCELLED') return 'it is encrypted: add passphrase';
  if (code === 'ERR_OSSL_BAD_DECRYPT') return 'the passphrase does not decrypt it';
  return (reason ?? message.replace(/^error:[0-9A-F]+:/i, '')).split('\n')[0] ?? 'unreadable';
}
