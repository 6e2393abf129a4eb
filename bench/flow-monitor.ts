import { compileText } from '../src/config/load-file.js';
import type { Monitor } from '../src/core/monitor.js';

/** The flow rawFlow does, as a stepwatch monitor. */
export function flowYaml(name: string, schedule = '* * * * *', itemsPath = '/items'): string {
  return `name: ${name}
schedule: "${schedule}"
steps:
  - name: Get token
    request:
      method: POST
      url: <<env.TARGET>>/token
      auth: { basic: { username: <<env.CLIENT_ID>>, password: <<env.CLIENT_SECRET>> } }
      form: { grant_type: client_credentials }
    extract:
      access_token: { jsonpath: $.access_token, secret: true }
    assert:
      status: 200
      jsonpath:
        $.token_type: { equals: Bearer }
        $.expires_in: { greaterThan: 0 }
  - name: List items
    request:
      url: <<env.TARGET>>${itemsPath}
      query: { limit: "5" }
      auth: { bearer: <<custom.access_token>> }
    assert:
      status: 200
      latency: { lessThan: 800ms }
      headers: { content-type: { contains: application/json } }
      jsonpath:
        $.items.length: { equals: 5 }
        $.items[0].id: { exists: true }
`;
}

export function flowMonitor(env: NodeJS.ProcessEnv, name = 'bench-flow', itemsPath = '/items'): Monitor {
  const loaded = compileText('bench.yaml', 'bench.yaml', flowYaml(name, '* * * * *', itemsPath), env);
  const monitor = loaded.documents[0]?.monitor;
  if (!monitor) throw new Error(JSON.stringify(loaded.documents[0]?.diagnostics));
  return monitor;
}
