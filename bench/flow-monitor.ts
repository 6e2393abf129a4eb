import { compileText } from '../src/config/load-file.js';
import type { Monitor } from '../src/core/monitor.js';

/** The answers the flows fetch: where, how many items, and the JSONPaths the checks read. */
export interface BenchBody {
  path: string;
  count: number;
  itemsPath: string;
  firstPath: string;
  /** The raw client's reading of the same two paths. */
  items(json: unknown): unknown[] | undefined;
  first(items: unknown[]): unknown;
}

type Json = Record<string, unknown> | undefined;
const releases = (limit: number): BenchBody => ({
  path: `/v1/browse/new-releases?limit=${limit}`,
  count: limit,
  itemsPath: '$.albums.items',
  firstPath: '$.albums.items[0].artists[0].name',
  items: (json) => (json as { albums?: { items?: unknown[] } } | undefined)?.albums?.items,
  first: (items) => ((items[0] as Json)?.artists as Json[] | undefined)?.[0]?.name,
});

export const BODIES = {
  small: { path: '/items', count: 5, itemsPath: '$.items', firstPath: '$.items[0].id', items: (json) => (json as { items?: unknown[] } | undefined)?.items, first: (items) => (items[0] as Json)?.id },
  '2.4 KB': releases(3),
  '20 KB': releases(27),
  '200 KB': releases(270),
} satisfies Record<string, BenchBody>;
export type BodyName = keyof typeof BODIES;

export const BENCH_ENV = { CLIENT_ID: 'bench', CLIENT_SECRET: 'bench-secret' };

/** The flow rawFlow does, as a stepwatch monitor: client credentials by hand, then the API call. */
export function flowYaml(name: string, schedule = '* * * * *', body: BenchBody = BODIES['2.4 KB'], query = ''): string {
  return `name: ${name}
schedule: "${schedule}"
steps:
  - name: Get token
    request:
      method: POST
      url: <<env.TARGET>>/api/token
      auth: { basic: { username: <<env.CLIENT_ID>>, password: <<env.CLIENT_SECRET>> } }
      form: { grant_type: client_credentials }
    extract:
      access_token: { jsonpath: $.access_token, secret: true }
    assert:
      status: 200
      jsonpath:
        $.token_type: { equals: Bearer }
        $.expires_in: { greaterThan: 0 }
  - name: New releases
    request:
      url: <<env.TARGET>>${body.path}${query}
      auth: { bearer: <<custom.access_token>> }
    assert:
      status: 200
      latency: { lessThan: 800ms }
      headers: { content-type: { contains: application/json } }
      jsonpath:
        ${body.itemsPath}.length: { equals: ${body.count} }
        ${body.firstPath}: { exists: true }
`;
}

export function flowMonitor(env: NodeJS.ProcessEnv, name = 'bench-flow', body: BenchBody = BODIES['2.4 KB'], query = ''): Monitor {
  const loaded = compileText('bench.yaml', 'bench.yaml', flowYaml(name, '* * * * *', body, query), env);
  const monitor = loaded.documents[0]?.monitor;
  if (!monitor) throw new Error(JSON.stringify(loaded.documents[0]?.diagnostics));
  return monitor;
}
