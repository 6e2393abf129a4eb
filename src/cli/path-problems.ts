import { stat } from 'node:fs/promises';

/** Paths are shown at most this long in messages: a 5,000-character path is not repeated in full. */
const SHOWN_PATH = 120;

export function shownPath(target: string): string {
  return target.length > SHOWN_PATH ? `${target.slice(0, SHOWN_PATH)}… (${target.length} characters)` : target;
}

/** What a file-system error code means for a path the user gave, in words. */
const MEANINGS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ELOOP: 'too many symbolic links (a link that points to itself?)',
  ENAMETOOLONG: 'the path is too long',
  EISDIR: 'is a folder',
};

/** One line for a file-system error on `target`, or `undefined` when the error is not one of those. */
export function describePathError(error: unknown, target: string): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const meaning = code ? MEANINGS[code] : undefined;
  if (!meaning) return undefined;
  const where = (error as { path?: string }).path ?? target;
  return `${meaning}: ${shownPath(where)}`;
}

/**
 * Why `target` cannot be a monitors path (a file or a folder), or `undefined` when it can. A
 * device, FIFO or socket is refused before anything reads it: reading a FIFO never ends.
 */
export async function monitorPathProblem(target: string): Promise<string | undefined> {
  try {
    const info = await stat(target);
    if (info.isFile() || info.isDirectory()) return undefined;
    return `not a file or a folder (a device, FIFO or socket): ${shownPath(target)}; give a monitors folder or a YAML file`;
  } catch (error) {
    const problem = describePathError(error, target);
    if (problem) return problem;
    throw error;
  }
}
