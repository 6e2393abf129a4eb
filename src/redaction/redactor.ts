/** The contract's redaction rules, in one place: what is secret, and how it is hidden. */
export const REDACTED = '[redacted]';

const SENSITIVE_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'proxy-authorization']);
const SECRET_ENV_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|KEY/i;

export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_HEADERS.has(name.toLowerCase());
}

export function isSecretEnvName(name: string): boolean {
  return SECRET_ENV_NAME.test(name);
}

/** The values of the environment's secret-named variables. */
export function secretEnvValues(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => isSecretEnvName(name) && value !== undefined && value !== '')
    .map(([, value]) => value as string);
}

/**
 * A set of secret values and the censor that hides them. Values are also hidden in the forms in
 * which they commonly travel (URL-encoded, form-encoded), so a secret in a query string is caught.
 */
export class Redactor {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  constructor(initial: Iterable<string> = [], private readonly parent?: Redactor) {
    for (const value of initial) this.add(value);
  }

  add(value: string): void {
    if (value === '') return;
    for (const form of [value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)]) {
      if (!this.values.has(form)) {
        this.values.add(form);
        this.pattern = undefined;
      }
    }
  }

  /** A child set for one run: it sees the parent's secrets and adds its own without touching the parent. */
  child(): Redactor {
    return new Redactor([], this);
  }

  censor(text: string): string {
    const own = this.compiled();
    const censored = own ? text.replace(own, REDACTED) : text;
    return this.parent ? this.parent.censor(censored) : censored;
  }

  /** Censors every string in a JSON-like value, and the values of sensitive headers by name. */
  censorDeep<T>(value: T): T {
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.censor(value);
    if (Array.isArray(value)) return value.map((item) => this.walk(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, isSensitiveHeader(key) ? REDACTED : this.walk(item)]),
      );
    }
    return value;
  }

  private compiled(): RegExp | undefined {
    if (this.values.size === 0) return undefined;
    if (!this.pattern) {
      // Longest first, so a secret that contains another is hidden whole.
      const sorted = [...this.values].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(sorted.join('|'), 'g');
    }
    return this.pattern;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
