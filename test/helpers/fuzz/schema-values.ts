import fc from 'fast-check';

/**
 * Values for a JSON Schema (the TypeBox schemas the routes declare): mostly of the right type, so
 * that requests get past the first check and reach the handlers, and at every level sometimes of a
 * wrong type, out of range, or odd (what the routes must refuse with a 400, never a 500).
 */

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  format?: string;
}

/** Strings a parser, a database or a template engine may trip on. */
export const ODD_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u0041',
  '😀'.repeat(40),
  'é',
  'ﬀ',
  '..',
  '../../etc/passwd',
  '%00',
  '%',
  '%zz',
  "' OR 1=1 --",
  '"; DROP TABLE tenants; --',
  '{{ 7 * 7 }}',
  '{% raw %}',
  '${process.env}',
  '<script>alert(1)</script>',
  '\r\nX-Injected: 1',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '99999999999999999999999',
  'true',
  'null',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  '+14155552671',
  '+999999999999999999',
  '+1',
  'auth0|000000000000000000000000',
  'sms',
  'twilio',
  'x'.repeat(5000),
];

/** Numbers at and past the edges. */
export const ODD_NUMBERS: readonly number[] = [0, -0, -1, 1, 0.5, -1e308, 1e308, Number.MAX_SAFE_INTEGER + 2, -Number.MAX_SAFE_INTEGER - 2, 2 ** 31, -(2 ** 31) - 1, 2 ** 63, 1e-320];

const oddString = fc.constantFrom(...ODD_STRINGS);

/** A value of any type, odd ones included: what a property of the wrong type gets. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(...ODD_NUMBERS),
  fc.integer(),
  fc.double({ noNaN: true }),
  oddString,
  fc.string({ maxLength: 40 }),
  fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null)), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null)), { maxKeys: 4 }),
  fc.jsonValue({ maxDepth: 3 }),
);

const typesOf = (s: JsonSchema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);

function stringFor(s: JsonSchema): fc.Arbitrary<string> {
  const max = s.maxLength ?? 64;
  const fitting = fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(max, 64) });
  const edges = [max, max + 1, Math.max(0, (s.minLength ?? 0) - 1)].map((n) => 'x'.repeat(n));
  const byFormat =
    s.format === 'date-time'
      ? fc.constantFrom('2026-01-01T00:00:00.000Z', '2026-13-45T99:99:99Z', 'yesterday')
      : s.format === 'uri'
        ? fc.constantFrom('https://example.com/', 'javascript:alert(1)', 'http://[::1', 'file:///etc/passwd')
        : s.format === 'email'
          ? fc.constantFrom('a@example.com', 'not-an-email', '@', 'a@b')
          : fitting;
  return fc.oneof({ weight: 4, arbitrary: byFormat }, { weight: 2, arbitrary: fitting }, { weight: 2, arbitrary: oddString }, { weight: 1, arbitrary: fc.constantFrom(...edges) });
}

function numberFor(s: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = s.minimum ?? -1000;
  const max = s.maximum ?? 1000;
  const inRange = integer ? fc.integer({ min: Math.max(min, -1e9), max: Math.min(max, 1e9) }) : fc.double({ min, max, noNaN: true });
  return fc.oneof({ weight: 4, arbitrary: inRange }, { weight: 1, arbitrary: fc.constantFrom(min - 1, max + 1, ...ODD_NUMBERS) });
}

/** Values that mean something to the server, by property name (a real client id for `client_id`): used most of the time. */
export type Hints = Readonly<Record<string, readonly unknown[]>>;

/**
 * A value for `schema`, `depth` levels deep at most. `wrongRate` (0–1, roughly) is the weight of a
 * wrong-typed value at each level.
 */
export function valueFor(schema: JsonSchema | undefined, depth = 4, wrongRate = 0.15, hints: Hints = {}): fc.Arbitrary<unknown> {
  return valueOf(schema, depth, wrongRate, hints, false);
}

/**
 * A plausible object for `schema`: every declared property, hinted values where there are some, no
 * other property, right types. What gets a flow past its checks to the code behind them.
 */
export function plausibleValueFor(schema: JsonSchema, hints: Hints): fc.Arbitrary<unknown> {
  return valueOf(schema, 4, 0, hints, true);
}

function valueOf(schema: JsonSchema | undefined, depth: number, wrongRate: number, hints: Hints, complete: boolean): fc.Arbitrary<unknown> {
  const right = rightValueFor(schema ?? {}, depth, wrongRate, hints, complete);
  if (wrongRate <= 0) return right;
  const w = Math.max(1, Math.round(wrongRate * 100));
  return fc.oneof({ weight: 100 - w, arbitrary: right }, { weight: w, arbitrary: anyValue });
}

function rightValueFor(s: JsonSchema, depth: number, wrongRate: number, hints: Hints, complete: boolean): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => valueOf(a, depth, wrongRate, hints, complete)));
  if (s.allOf?.length) return valueOf(s.allOf[0], depth, wrongRate, hints, complete);
  const types = typesOf(s);
  if (types.length === 0) return depth > 0 ? anyValue : fc.constant(null);
  return fc.oneof(
    ...types.map((t): fc.Arbitrary<unknown> => {
      switch (t) {
        case 'string':
          return stringFor(s);
        case 'integer':
          return numberFor(s, true);
        case 'number':
          return numberFor(s, false);
        case 'boolean':
          return fc.boolean();
        case 'null':
          return fc.constant(null);
        case 'array':
          return depth <= 0 ? fc.constant([]) : fc.array(valueOf(s.items, depth - 1, wrongRate, hints, complete), { maxLength: Math.min(s.maxItems ?? 4, 4) + 1 });
        case 'object':
          return depth <= 0 ? fc.constant({}) : objectFor(s, depth, wrongRate, hints, complete);
        default:
          return anyValue;
      }
    }),
  );
}

function objectFor(s: JsonSchema, depth: number, wrongRate: number, hints: Hints, complete: boolean): fc.Arbitrary<Record<string, unknown>> {
  const props = s.properties ?? {};
  const names = Object.keys(props);
  const required = new Set(s.required ?? []);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const n of names) {
    const plain = valueOf(props[n], depth - 1, wrongRate, hints, complete);
    const hinted = hints[n];
    record[n] = hinted?.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...hinted) }, { weight: complete ? 0 : 1, arbitrary: plain }) : plain;
  }
  // Required properties are always there (leaving one out is the least interesting mistake); optional ones sometimes.
  const known = fc.record(record, { requiredKeys: names.filter((n) => complete || required.has(n)) }) as fc.Arbitrary<Record<string, unknown>>;
  if (complete) return known;
  const pattern = s.patternProperties ? Object.values(s.patternProperties)[0] : typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  const extra = pattern ? fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), valueOf(pattern, depth - 1, wrongRate, hints, complete), { maxKeys: 3 }) : fc.constant({});
  return fc.tuple(known, extra).map(([k, e]) => ({ ...e, ...k }));
}
