import { CaptureTag, type Context, Liquid, type Template } from 'liquidjs';
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
 */
export const phoneLiquid = new Liquid({
  strictFilters: true,
  templates: {},
  ownPropertyOnly: true,
  parseLimit: 100_000,
  renderLimit: 200,
  memoryLimit: 1_000_000,
});

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

/** Throws 400 `invalid_template`, with the parser's message, when `body` is not valid Liquid. */
export function validateTemplate(body: string): void {
  parseOrThrow(body);
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
