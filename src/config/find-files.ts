import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

const MONITOR_FILE = /\.ya?ml$/i;

/** Monitor files under each path (a file is taken as given, a folder searched recursively), sorted. */
export async function findMonitorFiles(paths: string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const target of paths) {
    const info = await stat(target);
    if (info.isFile()) {
      found.add(target);
      continue;
    }
    const entries = await readdir(target, { recursive: true, withFileTypes: true });
    for (const entry of entries) {
      const parent = entry.parentPath ?? (entry as unknown as { path: string }).path;
      if (entry.isFile() && MONITOR_FILE.test(entry.name)) found.add(path.join(parent, entry.name));
    }
  }
  return [...found].sort();
}
