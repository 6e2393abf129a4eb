import type { Template, JsonTemplate } from '../templating/template.js';

/** Where something was written: for messages that point the operator at the line. */
export interface SourceRef {
  file: string;
  line: number;
  col: number;
}

/** A monitor compiled from YAML: every value normalised, ready to run many times. */
export interface Monitor {
  name: string;
  description?: string;
  schedule: string;
  timezone: string;
  timeoutMs: number;
  retries: number;
  labels: Record<string, string>;
  enabled: boolean;
  /** Cluster mode: the locations that run it; absent means every location. */
  locations?: string[];
  steps: Step[];
  source: SourceRef;
  /** A digest of the monitor's document as written: changes whenever its definition does. */
  revision: string;
  /** Values read from files when the monitor was loaded (`file.` templates, `NAME_FILE`). */
  fileValues?: FileValues;
}

/**
 * What a monitor's templates read from files, read once per load so a run never touches the
 * disk: `<<file.path>>` contents and `env.NAME` values taken from the file that `NAME_FILE`
 * names. Both are secrets; an implementation never serialises them.
 */
export interface FileValues {
  file(name: string): string | undefined;
  envFile(name: string): string | undefined;
  /** Absolute paths of the files read (or tried), so a reload notices when one changes, disappears or appears. */
  readonly paths: readonly string[];
}

/** Mutual TLS and extra trust for one step's connections: PEM text from templates (usually `file.`). */
export interface ClientTlsSpec {
  /** Extra trusted CA certificates (PEM, one or more). */
  ca?: Template;
  /** The client certificate (PEM), for servers that ask for one. */
  cert?: Template;
  /** The client certificate's private key (PEM); always a secret. */
  key?: Template;
  /** The key's passphrase, when it is encrypted; a secret. */
  passphrase?: Template;
}

/** One named step: an action, then assertions on its outcome, then extractions for later steps. */
export interface Step {
  name: string;
  action: StepAction;
  assertions: Assertion[];
  extractions: Extraction[];
  /** Whether the operator wrote `assert.status`; without it a step passes only on 2xx. */
  hasStatusAssertion: boolean;
}

export type StepAction = RequestAction | OAuth2Action;

export interface RequestAction {
  kind: 'request';
  request: RequestSpec;
}

export interface OAuth2Action {
  kind: 'oauth2';
  oauth2: OAuth2Spec;
}

export const OAUTH2_GRANTS = ['client_credentials', 'refresh_token'] as const;
export type OAuth2Grant = (typeof OAUTH2_GRANTS)[number];

/** An OAuth2 token request (RFC 6749 section 4.4 or 6), and what `stepwatch authorize` needs. */
export interface OAuth2Spec {
  tokenUrl: Template;
  grant: OAuth2Grant;
  clientId: Template;
  clientSecret?: Template;
  /**
   * RFC 6749 2.3.1: HTTP Basic (default) or client_id/client_secret in the form body; or
   * private_key_jwt (RFC 7523 2.2, OpenID Connect Core 9): a client assertion signed with
   * `clientAssertionKey`.
   */
  clientAuth: ClientAuthMethod;
  clientAssertionKey?: Template;
  /** The `kid` header of the client assertion, when the provider needs it to pick the key. */
  clientAssertionKeyId?: Template;
  scope?: Template;
  params: Array<[string, Template]>;
  refreshToken?: Template;
  authorizeUrl?: Template;
  redirectUri?: Template;
  /** Extra authorize-URL parameters for `stepwatch authorize`, e.g. prompt=consent or access_type=offline. */
  authorizeParams: Array<[string, Template]>;
  reuseToken: boolean;
  timeoutMs: number;
  insecureSkipVerify: boolean;
  clientTls?: ClientTlsSpec;
}

export const CLIENT_AUTH_METHODS = ['basic', 'body', 'private_key_jwt'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

export type RequestAuth =
  | { kind: 'basic'; username: Template; password: Template }
  | { kind: 'bearer'; token: Template };

export type RequestBody =
  | { kind: 'raw'; value: Template }
  | { kind: 'form'; fields: Array<[string, Template]> }
  | { kind: 'json'; value: JsonTemplate };

export interface RequestSpec {
  method: string;
  url: Template;
  query: Array<[string, Template]>;
  headers: Array<[string, Template]>;
  auth?: RequestAuth;
  body?: RequestBody;
  timeoutMs: number;
  followRedirects: boolean;
  insecureSkipVerify: boolean;
  clientTls?: ClientTlsSpec;
}

export const EXTRACTION_SOURCES = ['jsonpath', 'header', 'regex'] as const;
export type ExtractionSource = (typeof EXTRACTION_SOURCES)[number];

/** Takes one value out of a response into `custom.<name>`. */
export interface Extraction {
  name: string;
  source: ExtractionSource;
  expression: string;
  secret: boolean;
}

export const ASSERTION_SUBJECTS = ['status', 'latency', 'header', 'body', 'jsonpath'] as const;
export type AssertionSubject = (typeof ASSERTION_SUBJECTS)[number];

export const OPERATORS = [
  'equals',
  'notEquals',
  'contains',
  'notContains',
  'matches',
  'exists',
  'lessThan',
  'greaterThan',
  'oneOf',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** An assertion as data: what to look at, how to compare, and the expected value (may hold templates). */
export interface Assertion {
  subject: AssertionSubject;
  /** The header name or JSONPath expression; absent for status, latency and body. */
  property?: string;
  operator: Operator;
  expected: JsonTemplate;
}
