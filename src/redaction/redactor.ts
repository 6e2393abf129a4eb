import { inspect } from 'node:util';
import { formEncode } from '../http/wire-format.js';
import type { SecretSink } from '../http/wire-format.js';

/** What a secret is replaced with, wherever it would be shown. */
export const REDACTED = '[redacted]';

/**
 * Secrets shorter than this are hidden where they were inserted but not searched for in free
 * text: a value such as `1` or `3600` would otherwise censor every number in an answer.
 */
export const MIN_SEARCHED_LENGTH = 8;

/**
 * A set of secrets, told what is secret at the moment a secret is created or inserted (a template
 * fills a secret env value, an extraction marked secret, a token answer, a Basic header), and the
 * censor that hides them in free text. A run's set is a child of the process's set. Registering
 * is cheap; the searched forms are worked out only when some text is actually redacted, so a run
 * whose results are never shown pays almost nothing.
 */
export class Redactor implements SecretSink {
  private readonly values = new Set<string>();
  private readonly wireForms = new Set<string>();
  private searched: string[] | undefined;

  constructor(initial: Iterable<string> = [], private readonly parent?: Redactor) {
    for (const value of initial) this.add(value);
  }

  add(value: string): void {
    if (value === '' || this.values.has(value)) return;
    this.values.add(value);
    this.searched = undefined;
  }

  addWireForm(form: string): void {
    if (form === '' || this.wireForms.has(form)) return;
    this.wireForms.add(form);
    this.searched = undefined;
  }

  /** Forgets the own secrets and takes these instead (the process's set after a reload). */
  replace(values: Iterable<string>): void {
    this.values.clear();
    this.wireForms.clear();
    this.searched = undefined;
    for (const value of values) this.add(value);
  }

  /** A child set for one run: it sees the parent's secrets and adds its own without touching the parent. */
  child(): Redactor {
    return new Redactor([], this);
  }

  /** Whether `value` is itself a secret of this set, whatever its length. */
  isSecret(value: string): boolean {
    return this.values.has(value) || this.wireForms.has(value) || (this.parent?.isSecret(value) ?? false);
  }

  /**
   * Replaces every secret of 8 characters or more, in every form registered, by `[redacted]`.
   * Overlapping matches are merged before anything is replaced, so no tail of a secret survives
   * whatever the order the secrets were learnt in.
   */
  redactText(text: string): string {
    if (text.length < MIN_SEARCHED_LENGTH) return text;
    const forms = this.searchedForms();
    if (forms.length === 0) return text;
    const spans: Array<[number, number]> = [];
    for (const form of forms) {
      for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) spans.push([at, at + form.length]);
    }
    if (spans.length === 0) return text;
    spans.sort((a, b) => a[0] - b[0]);
    let out = '';
    let copied = 0;
    let [start, end] = spans[0] as [number, number];
    for (const [from, to] of spans) {
      if (from <= end) {
        end = Math.max(end, to);
        continue;
      }
      out += text.slice(copied, start) + REDACTED;
      copied = end;
      [start, end] = [from, to];
    }
    return out + text.slice(copied, start) + REDACTED + text.slice(end);
  }

  /** Never serialises its secrets, even if a whole object holding it is logged by mistake. */
  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Redactor ${REDACTED}`;
  }

  private searchedForms(): string[] {
    const own = (this.searched ??= this.computeForms());
    const inherited = this.parent?.searchedForms() ?? [];
    return inherited.length === 0 ? own : own.length === 0 ? inherited : [...own, ...inherited];
  }

  private computeForms(): string[] {
    const forms = new Set<string>();
    for (const value of this.values) {
      if (value.length < MIN_SEARCHED_LENGTH) continue;
      for (const form of wireFormsOf(value)) forms.add(form);
    }
    for (const form of this.wireForms) if (form.length >= MIN_SEARCHED_LENGTH) forms.add(form);
    return [...forms];
  }
}

/** The forms a value takes on the wire: raw, URL-encoded, form-encoded, and inside a JSON string. */
function wireFormsOf(value: string): string[] {
  const forms = [value, formEncode(value), JSON.stringify(value).slice(1, -1)];
  try {
    forms.push(encodeURIComponent(value));
  } catch {
    // A lone surrogate cannot be URL-encoded; no request could have carried it that way either.
  }
  return forms;
}
