import { CaptureTag, type Context, type Emitter, Liquid, type Template } from 'liquidjs';
import { AppError } from '../errors.js';

/**
 * The Liquid engine of phone templates (reference §3.4). Every tag and filter Auth0 documents is a
 * liquidjs built-in, so nothing is registered; `{{ pause }}` in the default voice texts is a plain
 * variable that the voice renderer supplies.
 *
 * - `strictFilters` makes an unknown filter a parse error, caught when a template is saved rather
 *   than silently rendering nothing when a code is sent.
 * - `templates: {}` replaces the file system: `include`/`layout` parse (Auth0 lists them) but can
 *   never read a file of the server.
 * - The limits bound what one tenant's template can cost the process at save and at render time.
 *   liquidjs does not count what `{% capture %}` stores against `memoryLimit`: a template that
 *   doubles a captured string twenty times would build a string of a million times its size. The
 *   capture tag is replaced by one that charges its result (the renderer also caps each body's length).
 * - Rendering runs on the event loop, so its cost is bounded by a count, not only by a clock: every
 *   node rendered (a loop body's nodes once per iteration) is one step, and a render may take at most
 *   MAX_RENDER_STEPS (docs/abuse.md, "Template rendering budget"). The count is deterministic: the
 *   same template and data pass or fail the same way on a fast machine, a loaded one, at save time
 *   and at send time. `renderLimit` (wall clock, 200 ms) stays only as a last fence: on a loaded machine
 *   a clock trips on templates that are fine, so it is not what bounds the cost.
 */
export const phoneLiquid = new Liquid({
  strictFilters: true,
  templates: {},
  ownPropertyOnly: true,
  parseLimit: 100_000,
  renderLimit: 200,
  memoryLimit: 1_000_000,
});

/**
 * Nodes one render may render. A node inside a loop costs 1–6 µs (warm) to 16 µs (cold) here, so
 * a render that uses the whole budget holds the event loop for at most a few milliseconds; the
 * built-in bodies take under 20 steps.
 */
export const MAX_RENDER_STEPS = 500;

/**
 * Steps used per render, kept on the render's time limiter (one per render, shared with the contexts
 * it spawns) under a symbol of ours: a property read where a WeakMap look-up cost a hash per call.
 */
const STEPS = Symbol('unifone.renderSteps');
type Charged = { [STEPS]?: number };
const renderer = phoneLiquid.renderer;
const renderTemplates = renderer.renderTemplates.bind(renderer);
renderer.renderTemplates = function* chargedRenderTemplates(templates: Template[], ctx: Context, emitter?: Emitter) {
  const limit = ctx.renderLimit as unknown as Charged;
  const used = (limit[STEPS] ?? 0) + templates.length;
  if (used > MAX_RENDER_STEPS) throw new Error(`render step limit exceeded (${MAX_RENDER_STEPS} nodes)`);
  limit[STEPS] = used;
  return yield* renderTemplates(templates, ctx, emitter);
} as typeof renderer.renderTemplates;

class ChargedCapture extends CaptureTag {
  override *render(ctx: Context): Generator<unknown, void, unknown> {
    const html = yield this.liquid.renderer.renderTemplates(this.templates, ctx);
    ctx.memoryLimit.use(String(html).length);
    ctx.bottom()[this.variable] = html;
  }
}
phoneLiquid.registerTag('capture', ChargedCapture);

function parseOrThrow(body: string): Template[] {
  try {
    return phoneLiquid.parse(body);
  } catch (e) {
    throw new AppError('invalid_template', `Invalid template: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** What a body is rendered with when it is saved: the variables every notification has, with sample values. */
const SAMPLE_VARIABLES: Readonly<Record<string, unknown>> = {
  friendly_name: 'Sample',
  tenant: 'sample',
  support_email: '',
  support_url: '',
  logo_url: '',
  home_url: '',
  region: 'self-hosted',
  locale: 'en',
  connection: 'sms',
  code: '123456',
  pause: '',
  user: {},
  client: {},
  application: {},
};

/**
 * Throws 400 `invalid_template`, with the parser's message, when `body` is not valid Liquid, or when
 * rendering it with sample values goes past a limit (the step budget, memory, time): a template whose
 * own loops are too costly is refused when saved, not at every send. A body that fails on the sample
 * for another reason (a filter given an empty value) is not refused here.
 */
export function validateTemplate(body: string): void {
  const parsed = parseOrThrow(body);
  try {
    phoneLiquid.renderSync(parsed, { ...SAMPLE_VARIABLES });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/limit exceeded/.test(message)) throw new AppError('invalid_template', `Invalid template: ${message}`);
  }
}

export type TemplatePart = 'text' | 'voice';

export interface ParseKey {
  /** The template id, or a stable name for a built-in default (e.g. `default:otp_verify`). */
  id: string;
  /** The template's version: a change makes a new key, so a cached parse is never stale. */
  version: number;
  part: TemplatePart;
}

const MAX_CACHED = 2000;
const cache = new Map<string, { body: string; parsed: Template[] }>();

/**
 * The parsed form of one body of one template version, parsed once and then cached. The cache is
 * bounded and evicts the least recently used entry, so old versions fall out on their own.
 * The entry also remembers its source: two concurrent saves can both write version N+1, so a hit
 * whose source differs from `body` is parsed again rather than trusted.
 * Throws `invalid_template` as `validateTemplate` does (stored bodies were validated, so only a
 * change of the engine could make that happen).
 */
export function parse(key: ParseKey, body: string): Template[] {
  const k = `${key.id}:${key.version}:${key.part}`;
  const hit = cache.get(k);
  if (hit && hit.body === body) {
    cache.delete(k);
    cache.set(k, hit);
    return hit.parsed;
  }
  const parsed = parseOrThrow(body);
  cache.delete(k);
  cache.set(k, { body, parsed });
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  return parsed;
}
