import fc from 'fast-check';

/** Cron fields at, inside and beyond their bounds, in every form the grammar knows and some it does not. */
const cronField = fc.oneof(
  fc.constantFrom('*', '?', '*/5', '0', '59', '60', '1-5', '5-1', 'mon-fri', 'jan', 'L', '1#2', '*/0', '1-100000000', '0,1,2', 'a-b/c', ''),
  fc.tuple(fc.integer({ min: -5, max: 200 }), fc.integer({ min: -5, max: 200 }), fc.integer({ min: 0, max: 100 })).map(([a, b, s]) => `${a}-${b}/${s}`),
  fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 1, maxLength: 80 }).map((list) => list.join(',')),
);
export const schedule = fc.array(cronField, { minLength: 4, maxLength: 7 }).map((fields) => fields.join(' '));

/** JSONPaths of the grammar, of other dialects, and broken ones. */
export const jsonPath = fc.oneof(
  fc.constantFrom('$', '$.', '$[', '$]', '$..', '$..*^..*', '$[a,?(@.x)]', '$.items[0,(@.length-1)]', '$[@.a]', '$.items[?@ > 1]', '$.a~', '$.items[-1]', '$.items[::-1].id', "$['a b']"),
  fc.stringMatching(/^\$[.[\]'"*?@()^~:,0-9a-z -]{0,40}$/),
  fc.integer({ min: 1, max: 3_000 }).map((n) => `$${'..a'.repeat(n)}`),
);

/** Patterns, catastrophic ones included, and ones that do not compile. */
export const regex = fc.oneof(fc.constantFrom('^(a+)+$', '([a-z', '/x/gi', '(?<n>a)', 'a{1,99999}', '\\', '(a|aa)+$'), fc.string({ maxLength: 30 }));

/** Durations at and beyond their bounds. */
export const duration = fc.oneof(
  fc.constantFrom('1ms', '0', '1h', '61m', '600h', '.inf', '.nan', '-1', '1e308', '3000000000', '2s', '0.5ms'),
  fc.integer({ min: -10, max: 5_000_000_000 }).map(String),
);

/** Template placements: in values, keys, expected values, names; well- and ill-formed. */
export const template = fc.constantFrom('<<env.HOME>>', '<<env.toString>>', '<<env.__proto__>>', '<<custom.x>>', '<<bad>>', '<< env.PATH >>', '<<file./etc/passwd>>', '<<', '>>', 'plain');

const quoted = (text: string) => JSON.stringify(text);

/** A monitor file as text: mostly valid in shape, with hostile values placed where a user would write them. */
export const monitorFile = fc
  .record({
    schedule,
    timeout: duration,
    stepTimeout: duration,
    path: jsonPath,
    pattern: regex,
    key: template,
    value: template,
    label: fc.constantFrom('team', 'le', 'quantile', '__x', 'location', 'ok_1'),
    stepName: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('a\uD800', 'a\uDC00', 'x')),
    header: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('snow ☃', 'a\r\nb')),
    nesting: fc.integer({ min: 0, max: 300 }),
    tag: fc.constantFrom('', '!!set ', '!!omap ', '!!binary ', '!!str '),
  })
  .map((f) => `name: fuzz
schedule: ${quoted(f.schedule)}
timeout: ${f.timeout}
labels: ${f.tag}{ ${f.label}: "v" }
steps:
  - name: ${quoted(f.stepName)}
    request:
      url: "http://127.0.0.1:1/<<env.HOME>>"
      timeout: ${f.stepTimeout}
      query: { ${quoted(f.key)}: ${quoted(f.value)} }
      headers: { X-A: ${quoted(f.header)} }
      json: ${'['.repeat(f.nesting)}1${']'.repeat(f.nesting)}
    extract:
      a: ${quoted(f.path)}
      b: { regex: ${quoted(f.pattern)} }
    assert:
      body: { matches: ${quoted(f.pattern)} }
      jsonpath: { ${quoted(f.path)}: { equals: ${quoted(f.value)} } }
`);

/** Text that is YAML only by accident. */
export const brokenYaml = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.stringMatching(/^[a-z:{}[\]\-#&*!|>'"%@`,?\n <>.$0-9]{0,300}$/),
  monitorFile.chain((text) => fc.integer({ min: 0, max: text.length }).map((cut) => text.slice(0, cut))),
);
