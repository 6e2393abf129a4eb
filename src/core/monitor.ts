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
  steps: Step[];
  source: SourceRef;
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

export type StepAction = RequestAction;

export interface RequestAction {
  kind: 'request';
  request: RequestSpec;
}

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
