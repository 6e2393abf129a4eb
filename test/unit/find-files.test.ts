import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findMonitorFiles } from '../../src/config/find-files.js';

describe('finding monitor files', () => {
  let root: string;
  let monitors: string;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'stepwatch-find-'));
    monitors = path.join(root, 'monitors');
    const elsewhere = path.join(root, 'elsewhere');
    mkdirSync(path.join(monitors, 'team'), { recursive: true });
    mkdirSync(path.join(elsewhere, 'shared'), { recursive: true });
    writeFileSync(path.join(monitors, 'plain.yaml'), '');
    writeFileSync(path.join(monitors, 'team', 'nested.yml'), '');
    writeFileSync(path.join(monitors, 'notes.txt'), '');
    writeFileSync(path.join(elsewhere, 'linked-file.yaml'), '');
    writeFileSync(path.join(elsewhere, 'shared', 'in-linked-folder.yaml'), '');
    symlinkSync(path.join(elsewhere, 'linked-file.yaml'), path.join(monitors, 'linked-file.yaml'));
    symlinkSync(path.join(elsewhere, 'shared'), path.join(monitors, 'shared'));
    // A loop: a folder that links back to its parent.
    symlinkSync(monitors, path.join(monitors, 'team', 'loop'));
    symlinkSync(path.join(root, 'gone.yaml'), path.join(monitors, 'dangling.yaml'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('follows linked files and folders, reads each folder once despite a loop, and skips a dangling link', async () => {
    const found = await findMonitorFiles([monitors]);
    assert.deepEqual(found.map((file) => path.relative(monitors, file)), ['linked-file.yaml', 'plain.yaml', path.join('shared', 'in-linked-folder.yaml'), path.join('team', 'nested.yml')]);
  });

  it('lists a file reached by several paths once, by its shortest path (a ConfigMap mount)', async () => {
    const mount = path.join(root, 'configmap');
    mkdirSync(path.join(mount, '..2026_11_25'), { recursive: true });
    writeFileSync(path.join(mount, '..2026_11_25', 'm.yaml'), '');
    symlinkSync('..2026_11_25', path.join(mount, '..data'));
    symlinkSync(path.join('..data', 'm.yaml'), path.join(mount, 'm.yaml'));
    assert.deepEqual(await findMonitorFiles([mount]), [path.join(mount, 'm.yaml')]);
  });

  it('takes a linked file given as a path as it is', async () => {
    assert.deepEqual(await findMonitorFiles([path.join(monitors, 'linked-file.yaml')]), [path.join(monitors, 'linked-file.yaml')]);
  });
});
