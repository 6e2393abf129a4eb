import { Type } from '@sinclair/typebox';
import type { Static, TSchema } from '@sinclair/typebox';
import { DURATION_PATTERN } from '../core/duration.js';

/**
 * The one description of a monitor file: the TypeScript types of raw monitors, the validation
 * the loader runs, and schema/monitor.schema.json for editors all come from here.
 * `x-expected` says in words what a union wants, for messages that beat "must match anyOf".
 */
const expected = (text: string) => ({ 'x-expected': text });

const Duration = Type.Union([Type.String({ pattern: DURATION_PATTERN }), Type.Number({ minimum: 0 })], {
  description: 'A duration: 250ms, 1.5s, 2m, 1h, or a number of milliseconds.',
  ...expected('a duration such as 250ms, 1.5s, 2m, 1h, or a number of milliseconds'),
});

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()], expected('a string, number or boolean'));
const StringMap = Type.Record(Type.String(), Scalar);

const Basic = Type.Object(
  { username: Type.String(), password: Type.String() },
  { additionalProperties: false, description: 'HTTP Basic credentials.' },
);
const Auth = Type.Object(
  {
    basic: Type.Optional(Basic),
    bearer: Type.Optional(Type.String({ description: 'A bearer token, e.g. <<custom.access_token>>.' })),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1, description: 'Sets the Authorization header.' },
);

const Tls = Type.Object(
  {
    insecureSkipVerify: Type.Optional(Type.Boolean({ default: false })),
    ca: Type.Optional(Type.String({ minLength: 1, description: 'Extra trusted CA certificates (PEM), e.g. <<file./etc/stepwatch/ca.pem>>.' })),
    cert: Type.Optional(Type.String({ minLength: 1, description: 'Client certificate (PEM) for mutual TLS, e.g. <<file./run/secrets/client.pem>>.' })),
    key: Type.Optional(Type.String({ minLength: 1, description: "The client certificate's private key (PEM); always a secret." })),
    passphrase: Type.Optional(Type.String({ minLength: 1, description: 'Passphrase of an encrypted key; a secret.' })),
  },
  { additionalProperties: false },
);

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const Request = Type.Object(
  {
    method: Type.Optional(Type.Union(HTTP_METHODS.map((m) => Type.Literal(m)), { default: 'GET', ...expected(`one of ${HTTP_METHODS.join(', ')}`) })),
    url: Type.String({ minLength: 1, description: 'Absolute http(s) URL; templates allowed.' }),
    query: Type.Optional(StringMap),
    headers: Type.Optional(StringMap),
    auth: Type.Optional(Auth),
    body: Type.Optional(Type.String({ description: 'A raw body.' })),
    form: Type.Optional(Type.Record(Type.String(), Scalar, { description: 'Sent as application/x-www-form-urlencoded.' })),
    json: Type.Optional(Type.Unknown({ description: 'Sent as application/json.' })),
    timeout: Type.Optional(Duration),
    followRedirects: Type.Optional(Type.Boolean({ default: true })),
    tls: Type.Optional(Tls),
  },
  { additionalProperties: false },
);

const Extraction = Type.Union(
  [
    Type.String({ pattern: '^\\$', description: 'A JSONPath on the JSON body.' }),
    Type.Object(
      {
        jsonpath: Type.Optional(Type.String({ minLength: 1 })),
        header: Type.Optional(Type.String({ minLength: 1 })),
        regex: Type.Optional(Type.String({ minLength: 1 })),
        secret: Type.Optional(Type.Boolean({ description: 'Never shown in logs, the API or the page.' })),
      },
      { additionalProperties: false },
    ),
  ],
  expected('a JSONPath starting with $, or one of { jsonpath: ... }, { header: ... }, { regex: ... }'),
);

const Operators = Type.Object(
  {
    equals: Type.Optional(Type.Unknown()),
    notEquals: Type.Optional(Type.Unknown()),
    contains: Type.Optional(Type.Unknown()),
    notContains: Type.Optional(Type.Unknown()),
    matches: Type.Optional(Type.String({ description: 'A JavaScript regular expression; /.../i for flags.' })),
    exists: Type.Optional(Type.Boolean()),
    lessThan: Type.Optional(Type.Union([Type.Number(), Type.String()])),
    greaterThan: Type.Optional(Type.Union([Type.Number(), Type.String()])),
    oneOf: Type.Optional(Type.Array(Type.Unknown())),
  },
  { additionalProperties: false, minProperties: 1 },
);

const StatusAssertion = Type.Union(
  [
    Type.Integer({ minimum: 100, maximum: 599 }),
    Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { minItems: 1 }),
    Type.String({ pattern: '^[1-5]xx$' }),
    Operators,
  ],
  expected('a status such as 200, a list such as [200, 204], a class such as "2xx", or operators'),
);

const Assert = Type.Object(
  {
    status: Type.Optional(StatusAssertion),
    latency: Type.Optional(Operators),
    headers: Type.Optional(Type.Record(Type.String(), Operators)),
    body: Type.Optional(Operators),
    jsonpath: Type.Optional(Type.Record(Type.String(), Operators)),
  },
  { additionalProperties: false },
);

const OAuth2 = Type.Object(
  {
    tokenUrl: Type.String({ minLength: 1, description: 'The token endpoint, e.g. https://accounts.spotify.com/api/token.' }),
    grant: Type.Union([Type.Literal('client_credentials'), Type.Literal('refresh_token')], expected('client_credentials or refresh_token')),
    clientId: Type.String({ minLength: 1 }),
    clientSecret: Type.Optional(Type.String({ description: 'Never shown; use <<env.NAME>>.' })),
    clientAuth: Type.Optional(Type.Union([Type.Literal('basic'), Type.Literal('body'), Type.Literal('private_key_jwt')], { default: 'basic', ...expected('basic (RFC 6749 2.3.1, the default), body or private_key_jwt (RFC 7523)') })),
    clientAssertionKey: Type.Optional(Type.String({ minLength: 1, description: 'private_key_jwt: the PEM private key (RSA or P-256) that signs the client assertion, e.g. <<file./run/secrets/oauth-client.pem>>.' })),
    clientAssertionKeyId: Type.Optional(Type.String({ minLength: 1, description: 'private_key_jwt: the kid header of the client assertion.' })),
    scope: Type.Optional(Type.String()),
    params: Type.Optional(Type.Record(Type.String(), Scalar, { description: 'Extra form fields, e.g. audience or resource.' })),
    refreshToken: Type.Optional(Type.String({ description: 'refresh_token grant: the first refresh token; the stored one wins once there is one.' })),
    authorizeUrl: Type.Optional(Type.String({ description: 'For stepwatch authorize.' })),
    redirectUri: Type.Optional(Type.String({ description: 'For stepwatch authorize: a loopback http URL it listens on.' })),
    authorizeParams: Type.Optional(Type.Record(Type.String(), Scalar, { description: 'For stepwatch authorize: extra authorize-URL parameters, e.g. prompt: consent.' })),
    reuseToken: Type.Optional(Type.Boolean({ default: false, description: 'Reuse the token until 60 s before it expires.' })),
    timeout: Type.Optional(Duration),
    tls: Type.Optional(Tls),
  },
  { additionalProperties: false },
);

const Step = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'The `step` label, verbatim.' }),
    request: Type.Optional(Request),
    oauth2: Type.Optional(OAuth2),
    extract: Type.Optional(Type.Record(Type.String(), Extraction)),
    assert: Type.Optional(Assert),
  },
  { additionalProperties: false },
);

export const MONITOR_NAME_PATTERN = '^[a-z0-9][a-z0-9_.-]*$';
/** Location names (STEPWATCH_LOCATION, `locations`): the `location` label in cluster mode. */
export const LOCATION_NAME_PATTERN = '^[a-z0-9][a-z0-9_.-]*$';

export const MonitorSchema = Type.Object(
  {
    name: Type.String({ pattern: MONITOR_NAME_PATTERN, description: 'Unique; the `monitor` label.' }),
    description: Type.Optional(Type.String()),
    schedule: Type.String({ description: 'Cron: 5 fields, or 6 with seconds first.' }),
    timezone: Type.Optional(Type.String({ description: 'IANA time zone; default UTC.' })),
    timeout: Type.Optional(Duration),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, default: 0 })),
    labels: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Constant labels on stepwatch_monitor_info.' })),
    enabled: Type.Optional(Type.Boolean({ default: true })),
    locations: Type.Optional(
      Type.Array(Type.String({ pattern: LOCATION_NAME_PATTERN }), {
        minItems: 1,
        uniqueItems: true,
        description: 'Cluster mode: the locations (STEPWATCH_LOCATION) that run this monitor; default every location. Ignored by a single instance.',
      }),
    ),
    steps: Type.Array(Step, { minItems: 1 }),
  },
  { additionalProperties: false, title: 'stepwatch monitor' },
);

export type RawMonitor = Static<typeof MonitorSchema>;
export type RawStep = RawMonitor['steps'][number];
export type RawRequest = NonNullable<RawStep['request']>;
export type RawOAuth2 = NonNullable<RawStep['oauth2']>;
export type RawTls = Static<typeof Tls>;
export type RawOperators = Static<typeof Operators>;
export type RawAssert = NonNullable<RawStep['assert']>;

/** The schema as plain JSON (TypeBox's symbols dropped), as editors and ajv see it. */
export function monitorJsonSchema(): Record<string, unknown> {
  return JSON.parse(JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...(MonitorSchema as TSchema) })) as Record<string, unknown>;
}
