/**
 * A strict check of a cron expression's fields against each field's bounds, before node-cron
 * sees it: node-cron expands every range into a list, so `1-100000000 * * * *` cost 32 s and
 * 4 GB in its validator (issue 12). Only the forms node-cron and crontab share are accepted:
 * `*`, a value, a range `a-b`, each optionally with `/step`, in comma-separated lists; names
 * for months and weekdays; `?` for day of month or weekday.
 */

interface Field {
  label: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** The index of `names[0]` (months count from 1, weekdays from 0). */
  firstName?: number;
  question?: boolean;
}

const SECOND: Field = { label: 'second', min: 0, max: 59 };
const MINUTE: Field = { label: 'minute', min: 0, max: 59 };
const HOUR: Field = { label: 'hour', min: 0, max: 23 };
const DAY: Field = { label: 'day of month', min: 1, max: 31, question: true };
const MONTH: Field = { label: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'], firstName: 1 };
// 7 is Sunday too, as in crontab.
const WEEKDAY: Field = { label: 'weekday', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], firstName: 0, question: true };

const FIVE = [MINUTE, HOUR, DAY, MONTH, WEEKDAY] as const;
const SIX = [SECOND, ...FIVE] as const;

/** Longer than any sensible schedule; refused before it is split. */
export const MAX_SCHEDULE_LENGTH = 200;
/** Items in one field's comma-separated list. */
export const MAX_LIST_ITEMS = 60;

const ITEM = /^(\*|\?|[0-9a-z]+(?:-[0-9a-z]+)?)(?:\/([0-9]+))?$/i;

/** A problem with one field, and the field's text, so the caller can point at it. */
export interface CronProblem {
  message: string;
  /** Where the offending field starts in the schedule's text. */
  at?: number;
}

/** Why `schedule` is not a cron expression stepwatch runs, or `undefined` when it is. */
export function cronProblem(schedule: string): CronProblem | undefined {
  if (schedule.length > MAX_SCHEDULE_LENGTH) return { message: `schedule is ${schedule.length} characters long; at most ${MAX_SCHEDULE_LENGTH}` };
  const texts = schedule.trim().split(/\s+/);
  const starts = [...schedule.matchAll(/\S+/g)].map((match) => match.index);
  if (texts.length !== 5 && texts.length !== 6) {
    return { message: `schedule '${schedule}' has ${texts.length} fields; write 5 (minute hour day month weekday, e.g. "*/5 * * * *") or 6 with seconds first` };
  }
  const fields = texts.length === 5 ? FIVE : SIX;
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i] as string;
    const field = fields[i] as Field;
    const problem = fieldProblem(text, field);
    if (problem) return { message: `schedule '${schedule}': ${field.label} ${problem}`, at: starts[i] ?? 0 };
  }
  return undefined;
}

function fieldProblem(text: string, field: Field): string | undefined {
  const items = text.split(',');
  if (items.length > MAX_LIST_ITEMS) return `'${shorten(text)}' lists ${items.length} items; at most ${MAX_LIST_ITEMS}`;
  for (const item of items) {
    const problem = itemProblem(item, field);
    if (problem) return problem;
  }
  return undefined;
}

function itemProblem(item: string, field: Field): string | undefined {
  const bounds = `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : ''}`;
  const match = ITEM.exec(item);
  if (!match) return `'${shorten(item)}' is not a value, a range a-b, * or a step such as */5 (allowed: ${bounds})`;
  const [, base = '', stepText] = match;
  if (base === '?' && !field.question) return `'?' is allowed only in the day of month and weekday fields`;
  let low = field.min;
  let high = field.max;
  if (base !== '*' && base !== '?') {
    const [fromText = '', toText] = base.split('-');
    const from = value(fromText, field);
    if (from === undefined) return `'${shorten(fromText)}' is outside ${bounds}`;
    low = from;
    high = from;
    if (toText !== undefined) {
      const to = value(toText, field);
      if (to === undefined) return `'${shorten(toText)}' is outside ${bounds}`;
      if (to < from) return `range '${item}' runs backwards; write the lower bound first`;
      high = to;
    }
  }
  if (stepText !== undefined) {
    const step = Number(stepText);
    const span = field.max - field.min + 1;
    if (!(step >= 1 && step <= span)) return `step '/${shorten(stepText)}' in '${shorten(item)}' must be from 1 to ${span}`;
    if (base !== '*' && !base.includes('-') && (low < field.min || high > field.max)) return `'${item}' is outside ${bounds}`;
  }
  return undefined;
}

/** A field's value from digits or a name, or `undefined` when outside the field's bounds. */
function value(text: string, field: Field): number | undefined {
  if (/^[0-9]{1,2}$/.test(text)) {
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : undefined;
  }
  const index = field.names?.indexOf(text.toLowerCase().slice(0, 3)) ?? -1;
  // Full names (monday, january) are accepted as node-cron accepts them; anything else is not.
  const full = index >= 0 && FULL_NAMES[field.label]?.[index] === text.toLowerCase();
  if (index >= 0 && (text.length === 3 || full)) return index + (field.firstName ?? 0);
  return undefined;
}

const FULL_NAMES: Record<string, readonly string[]> = {
  month: ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'],
  weekday: ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'],
};

function shorten(text: string): string {
  return text.length > 24 ? `${text.slice(0, 24)}…` : text;
}
