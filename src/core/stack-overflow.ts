/**
 * V8's RangeError when recursion runs out of stack. While judging a response it means the data
 * was nested too deeply to walk (JSON 100,000 levels deep is a few hundred KiB): a fault of the
 * answer, reported as the assertion or extraction that could not be evaluated.
 */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

export const TOO_DEEP = 'the JSON is nested too deeply to evaluate';
