// Runs a refresh-token monitor against a token endpoint from its own process, sharing a data
// folder with others: `token-exchanger.ts DATA_DIR API_URL RUNS`. It waits for "go" on stdin so
// that several start together, then prints one JSON line per run with whether it passed.
// With `hold` as RUNS, it takes the step's token lock and keeps it until it is killed.
import { createInterface } from 'node:readline';
import { runMonitor } from '../../src/run/run-monitor.js';
import { openOAuth2Services } from '../../src/oauth2/oauth2-services.js';
import { tokenSlot } from '../../src/oauth2/refresh-token-store.js';
import { monitorFromYaml } from './monitors.js';

const [dataDir = '.', api = '', runs = '1'] = process.argv.slice(2);
const oauth2 = await openOAuth2Services(dataDir);
if (runs === 'hold') {
  await oauth2.store.withTokenLock(tokenSlot('shared', 'Refresh'), async () => {
    process.stdout.write('locked\n');
    // A pending promise alone does not keep Node alive: the timer does, until the test kills us.
    await new Promise(() => setInterval(() => undefined, 60_000));
  });
}
const env = { API: api };
const monitor = monitorFromYaml(`
name: shared
schedule: "* * * * *"
timeout: 5m
steps:
  - name: Refresh
    oauth2: { tokenUrl: <<env.API>>/token, grant: refresh_token, clientId: client, refreshToken: rt-initial, timeout: 2m }
`, env);
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line === 'go') break;
for (let i = 0; i < Number(runs); i++) {
  const result = await runMonitor(monitor, { env, oauth2 });
  process.stdout.write(`${JSON.stringify({ passed: result.passed, message: result.steps[0]?.message })}\n`);
}
