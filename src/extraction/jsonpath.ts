/**
 * JSONPath, the subset monitors need, parsed strictly and evaluated within a budget.
 *
 * stepwatch used jsonpath-plus with eval off; it accepted `$.`, `$[` and RFC 9535 filters as
 * if they were `$`, hid scripts inside unions, and its parent operator `^` made one evaluation
 * cost minutes of CPU (issue 12). This grammar has no scripts, filters or parent operator, so
 * none can slip through, and the evaluator counts what it visits:
 *
 *   path      = "$" segment*
 *   segment   = ".." (name | "*" | brackets) | "." (name | "*") | brackets
 *   brackets  = "[" selector ("," selector)* "]"
 *   selector  = "*" | integer | slice | 'string' | "string" | name
 *   slice     = [integer] ":" [integer] [":" [integer]]
 *   name      = letters, digits, "_", "$", "-" and any non-ASCII character
 */

/** Expressions longer than this are refused at load time. */
export const MAX_JSONPATH_LENGTH = 1_024;
/** Values one evaluation may visit; past it the assertion or extraction fails and says so. */
export const MAX_JSONPATH_VISITS = 1_000_000;

type Selector =
  | { kind: 'name'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start?: number; end?: number; step: number };

interface Segment {
  descendant: boolean;
  selectors: Selector[];
}

/** A parsed path; `$` alone has no segments. */
export interface CompiledJsonPath {
  text: string;
  segments: Segment[];
}

class PathSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

const NAME_CHAR = /[A-Za-z0-9_$\-\u0080-\uFFFF]/;

/** Parses `text`; the problem says what is wrong and at which character. */
export function parseJsonPath(text: string): { path: CompiledJsonPath } | { problem: string } {
  if (text.length > MAX_JSONPATH_LENGTH) return { problem: `JSONPath is ${text.length} characters long; at most ${MAX_JSONPATH_LENGTH}` };
  if (!text.startsWith('$')) return { problem: `JSONPath '${text}' must start with '$', e.g. $.access_token` };
  try {
    return { path: { text, segments: new Parser(text).parse() } };
  } catch (error) {
    if (!(error instanceof PathSyntaxError)) throw error;
    return { problem: `JSONPath '${text}' ${error.message}` };
  }
}

/** Why a JSONPath expression cannot be used, or `undefined` when it can; checked at load time. */
export function jsonPathProblem(text: string): string | undefined {
  const parsed = parseJsonPath(text);
  return 'problem' in parsed ? parsed.problem : undefined;
}

class Parser {
  private at = 1;

  constructor(private readonly text: string) {}

  parse(): Segment[] {
    const segments: Segment[] = [];
    while (this.at < this.text.length) segments.push(this.segment());
    return segments;
  }

  private segment(): Segment {
    const c = this.text[this.at];
    if (c === '[') return { descendant: false, selectors: this.brackets() };
    if (c !== '.') {
      this.unsupported(c as string);
      this.fail(`has '${c}' at character ${this.at + 1} where '.' or '[' is expected`);
    }
    this.at++;
    const descendant = this.text[this.at] === '.';
    if (descendant) this.at++;
    const next = this.text[this.at];
    if (descendant && next === '[') return { descendant, selectors: this.brackets() };
    if (next === '*') {
      this.at++;
      return { descendant, selectors: [{ kind: 'wildcard' }] };
    }
    const start = this.at;
    while (this.at < this.text.length && NAME_CHAR.test(this.text[this.at] as string)) this.at++;
    if (this.at === start) {
      if (next === undefined) this.fail(`ends after '${descendant ? '..' : '.'}'; a name or * must follow it`);
      this.unsupported(next);
      this.fail(`has '${next}' at character ${this.at + 1} where a name or * is expected`);
    }
    return { descendant, selectors: [{ kind: 'name', name: this.text.slice(start, this.at) }] };
  }

  private brackets(): Selector[] {
    const open = this.at;
    this.at++;
    const selectors: Selector[] = [];
    for (;;) {
      this.spaces();
      selectors.push(this.selector(open));
      this.spaces();
      const c = this.text[this.at];
      if (c === ',') {
        this.at++;
        continue;
      }
      if (c === ']') {
        this.at++;
        return selectors;
      }
      if (c === undefined) this.fail(`has '[' at character ${open + 1} that is never closed with ']'`);
      this.fail(`has '${c}' at character ${this.at + 1} where ',' or ']' is expected`);
    }
  }

  private selector(open: number): Selector {
    const c = this.text[this.at];
    if (c === undefined) this.fail(`has '[' at character ${open + 1} that is never closed with ']'`);
    if (c === '?' || c === '(') {
      const script = this.scriptText();
      this.fail(`uses a script expression [${script}], which stepwatch never evaluates; select by index or name instead, e.g. $.items[0].id`);
    }
    if (c === '*') {
      this.at++;
      return { kind: 'wildcard' };
    }
    if (c === "'" || c === '"') return { kind: 'name', name: this.quoted(c) };
    if (c === '-' || c === ':' || (c >= '0' && c <= '9')) return this.indexOrSlice();
    this.unsupported(c);
    // A bare name, as jsonpath-plus read it: $[a] is $.a.
    const start = this.at;
    while (this.at < this.text.length && NAME_CHAR.test(this.text[this.at] as string)) this.at++;
    if (this.at > start) return { kind: 'name', name: this.text.slice(start, this.at) };
    if (c === ']' || c === ',') this.fail(`has an empty selector at character ${this.at + 1}; write an index, a quoted name or *`);
    this.fail(`has '${c}' at character ${this.at + 1} inside [...]; write an index such as [0], a quoted name such as ['id'], a slice such as [0:2] or *`);
  }

  private indexOrSlice(): Selector {
    const parts: Array<number | undefined> = [this.integer()];
    while (this.text[this.at] === ':' && parts.length < 3) {
      this.at++;
      this.spaces();
      parts.push(this.integer());
    }
    if (parts.length === 1) {
      if (parts[0] === undefined) this.fail(`has a selector at character ${this.at + 1} that is not an index`);
      return { kind: 'index', index: parts[0] };
    }
    const [start, end, step = 1] = parts;
    if (step === 0) this.fail(`has a slice with step 0 at character ${this.at}; the step must not be 0`);
    return { kind: 'slice', ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}), step };
  }

  private integer(): number | undefined {
    const match = /^-?[0-9]{1,9}/.exec(this.text.slice(this.at, this.at + 11));
    if (!match) return undefined;
    this.at += match[0].length;
    if (/[0-9]/.test(this.text[this.at] ?? '')) this.fail(`has an index at character ${this.at + 1} with more than 9 digits`);
    this.spaces();
    return Number(match[0]);
  }

  private quoted(quote: string): string {
    const open = this.at;
    this.at++;
    let name = '';
    while (this.at < this.text.length && this.text[this.at] !== quote) {
      if (this.text[this.at] === '\\' && this.at + 1 < this.text.length) this.at++;
      name += this.text[this.at];
      this.at++;
    }
    if (this.at >= this.text.length) this.fail(`has a quoted name at character ${open + 1} that is never closed with ${quote}`);
    this.at++;
    return name;
  }

  /** The text of a script or filter up to its closing bracket, to quote it in the message. */
  private scriptText(): string {
    const start = this.at;
    let depth = 0;
    for (; this.at < this.text.length; this.at++) {
      const c = this.text[this.at];
      if (c === '[' || c === '(') depth++;
      else if (c === ')') depth--;
      else if (c === ']') {
        if (depth === 0) break;
        depth--;
      }
    }
    return this.text.slice(start, this.at);
  }

  /** Forms of other JSONPath dialects that stepwatch does not evaluate, named for what they are. */
  private unsupported(c: string): void {
    const forms: Record<string, string> = {
      '^': "the parent operator '^'",
      '~': "the property-name operator '~'",
      '@': "'@' (the current node of a filter; filters are never evaluated)",
      '`': 'a name escaped with `',
    };
    const form = forms[c];
    if (form) this.fail(`uses ${form} at character ${this.at + 1}, which stepwatch does not support; select by name or index, e.g. $.items[0].id`);
  }

  private spaces(): void {
    while (this.text[this.at] === ' ') this.at++;
  }

  private fail(message: string): never {
    throw new PathSyntaxError(message, this.at);
  }
}

/** The evaluation went past MAX_JSONPATH_VISITS. */
export class JsonPathBudgetError extends Error {
  constructor(path: string) {
    super(`JSONPath ${path} visits more than ${MAX_JSONPATH_VISITS} values (stepwatch's bound for one evaluation); make it more specific`);
  }
}

/**
 * Every match of `path` in `json`, in document order. Object keys are own properties only, so
 * `constructor` or `__proto__` never reach the prototype. Throws JsonPathBudgetError past the
 * visit budget; a path that does not parse matches nothing (they are refused at load time).
 */
export function queryJsonPath(path: string | CompiledJsonPath, json: unknown, maxVisits = MAX_JSONPATH_VISITS): unknown[] {
  if (json === null || typeof json !== 'object') return [];
  const compiled = typeof path === 'string' ? compiledPath(path) : path;
  if (!compiled) return [];
  let visits = 0;
  const visit = () => {
    if (++visits > maxVisits) throw new JsonPathBudgetError(compiled.text);
  };
  let nodes: unknown[] = [json];
  for (const segment of compiled.segments) {
    const next: unknown[] = [];
    const targets = segment.descendant ? descendants(nodes, visit) : nodes;
    for (const node of targets) {
      for (const selector of segment.selectors) select(node, selector, next, visit);
    }
    nodes = next;
  }
  return nodes;
}

/** Each node and all it contains, pre-order, without recursion (deep answers cannot overflow the stack). */
function descendants(nodes: unknown[], visit: () => void): unknown[] {
  const out: unknown[] = [];
  for (const root of nodes) {
    const stack: unknown[] = [root];
    while (stack.length > 0) {
      const node = stack.pop();
      visit();
      out.push(node);
      const children = childrenOf(node);
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    }
  }
  return out;
}

function childrenOf(node: unknown): unknown[] {
  if (Array.isArray(node)) return node;
  if (node !== null && typeof node === 'object') return Object.values(node);
  return [];
}

function select(node: unknown, selector: Selector, out: unknown[], visit: () => void): void {
  switch (selector.kind) {
    case 'wildcard':
      for (const child of childrenOf(node)) {
        visit();
        out.push(child);
      }
      return;
    case 'name':
      visit();
      return pushName(node, selector.name, out);
    case 'index':
      visit();
      if (Array.isArray(node)) {
        const index = selector.index < 0 ? node.length + selector.index : selector.index;
        if (index >= 0 && index < node.length) out.push(node[index]);
      } else if (selector.index >= 0) pushName(node, String(selector.index), out);
      return;
    case 'slice':
      if (Array.isArray(node)) for (const index of sliceIndexes(node.length, selector)) {
        visit();
        out.push(node[index]);
      }
      return;
  }
}

function pushName(node: unknown, name: string, out: unknown[]): void {
  if (Array.isArray(node)) {
    if (name === 'length') out.push(node.length);
    else if (/^(0|[1-9][0-9]*)$/.test(name) && Number(name) < node.length) out.push(node[Number(name)]);
  } else if (typeof node === 'string') {
    if (name === 'length') out.push(node.length);
  } else if (node !== null && typeof node === 'object' && Object.hasOwn(node, name)) {
    out.push((node as Record<string, unknown>)[name]);
  }
}

/** Python-style slice indexes, as RFC 9535 2.3.4 defines them. */
function sliceIndexes(length: number, slice: { start?: number; end?: number; step: number }): number[] {
  const { step } = slice;
  const norm = (i: number) => (i < 0 ? length + i : i);
  const indexes: number[] = [];
  if (step > 0) {
    const lower = Math.min(Math.max(norm(slice.start ?? 0), 0), length);
    const upper = Math.min(Math.max(norm(slice.end ?? length), 0), length);
    for (let i = lower; i < upper; i += step) indexes.push(i);
  } else {
    const upper = Math.min(Math.max(norm(slice.start ?? length - 1), -1), length - 1);
    const lower = Math.min(Math.max(slice.end === undefined ? -1 : norm(slice.end), -1), length - 1);
    for (let i = upper; i > lower; i += step) indexes.push(i);
  }
  return indexes;
}

// Paths come from the monitor files, so a run asks for the same few again and again: parsing one
// each time was ~1% of a flow's CPU (docs/performance.md). Bounded, in case paths ever vary.
const COMPILED = new Map<string, CompiledJsonPath | undefined>();
const MAX_COMPILED = 10_000;

function compiledPath(text: string): CompiledJsonPath | undefined {
  if (COMPILED.has(text)) return COMPILED.get(text);
  const parsed = parseJsonPath(text);
  const compiled = 'problem' in parsed ? undefined : parsed.path;
  if (COMPILED.size >= MAX_COMPILED) COMPILED.clear();
  COMPILED.set(text, compiled);
  return compiled;
}
