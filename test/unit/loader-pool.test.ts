import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { within } from '../support/wait.js';

const monitorFile = (index: number) => `name: m${index}
schedule: "* * * * *"
steps:
  - name: ping
    request: { url: "http://127.0.0.1:9/ping" }
`;

describe('the loader threads', () => {
  it('do not keep the process alive once the files are loaded, even a thread that became ready after the work was done', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'stepwatch-loader-pool-'));
    try {
      await Promise.all(Array.from({ length: 100 }, (_, index) => writeFile(path.join(folder, `m${index}.yaml`), monitorFile(index))));
      // One file starts one thread, which stays warm; 100 more make the pool start a second one,
      // and the warm thread compiles them all before the second is ready: that one is idle from
      // its start (it kept `stepwatch start` running after SIGTERM, found in the daemon bench).
      const script = `
        import { LoaderPool } from './src/config/loader-pool.ts';
        const pool = new LoaderPool(2);
        const load = (count) => Promise.all(Array.from({ length: count }, (_, index) => pool.load({ file: ${JSON.stringify(folder)} + '/m' + index + '.yaml', env: {}, timeoutMs: 10000 })));
        const first = await load(1);
        const rest = await load(100);
        const compiled = [...first, ...rest].filter((outcome) => outcome.kind === 'loaded' && outcome.loaded.documents.length === 1).length;
        process.stdout.write(String(compiled));
      `;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const [code] = (await within(once(child, 'exit'), 'the process ends once the files are loaded', 30_000).catch((error: unknown) => {
        child.kill();
        throw error;
      })) as [number | null];
      assert.equal(output, '101', 'every file was compiled');
      assert.equal(code, 0);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
