import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, runCli } from '../support/cli.js';

/** One line on stderr, exit 2, and nothing that looks like a stack trace. */
function assertOneLine(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stderr.split('\n').length, 2, result.stderr);
  assert.match(result.stderr, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
}

describe('paths that are not monitor folders', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-paths-'));
    execFileSync('mkfifo', [path.join(dir, 'fifo.yaml')]);
    symlinkSync(path.join(dir, 'self.yaml'), path.join(dir, 'self.yaml'));
    writeFileSync(path.join(dir, 'file.yaml'), 'name: a\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: Array<[string, () => string, RegExp]> = [
    ['a character device (/dev/null)', () => '/dev/null', /^stepwatch validate: not a file or a folder \(a device, FIFO or socket\): \/dev\/null; give a monitors folder or a YAML file\n$/],
    ['a FIFO', () => path.join(dir, 'fifo.yaml'), /^stepwatch validate: not a file or a folder \(a device, FIFO or socket\): .*fifo\.yaml;/],
    ['a symbolic link to itself', () => path.join(dir, 'self.yaml'), /^stepwatch validate: too many symbolic links \(a link that points to itself\?\): .*self\.yaml\n$/],
    ['a 5,000-character path', () => `/${'a'.repeat(5_000)}`, /^stepwatch validate: the path is too long: \/a{119}… \(5001 characters\)\n$/],
    ['a path through a file (file.yaml/x)', () => path.join(dir, 'file.yaml', 'x'), /^stepwatch validate: a part of the path is a file, not a folder: .*file\.yaml\/x\n$/],
  ];
  for (const [what, target, pattern] of cases) {
    it(`validate refuses ${what} with one line and exit 2`, async () => {
      assertOneLine(await runCli(['validate', target()]), pattern);
    });
  }

  it('start refuses /dev/null as its monitors folder with one line and exit 2, starting nothing', async () => {
    const result = await runCli(['start', '--monitors', '/dev/null', '--port', '0']);
    assertOneLine(result, /^stepwatch start: cannot use the monitors path: not a file or a folder \(a device, FIFO or socket\): \/dev\/null;/);
    assert.equal(result.stdout, '');
  });

  it('validate piped into a reader that stops after one line ends without an EPIPE stack', async () => {
    const many = Array.from({ length: 3_000 }, (_, i) => `name: Bad${i}\nschedule: "* * * * *"\nsteps: []\n`).join('---\n');
    writeFileSync(path.join(dir, 'many.yaml'), many);
    const child = spawn(process.execPath, [BIN, 'validate', path.join(dir, 'many.yaml')], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Like `head -1`: read the first chunk, then close the pipe.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(stderr, '');
    assert.equal(code, 2);
  });
});
