import { AppError } from '../errors.js';

/**
 * The bot check (`/api/v2/attack-protection/phone-bot-check`): a tenant may require a CAPTCHA token
 * (Cloudflare Turnstile, hCaptcha or Google reCAPTCHA) on `/passwordless/start` and on signup by
 * phone, verified with the vendor's `siteverify` endpoint before anything is written or sent.
 * docs/abuse.md ("Bot check").
 */

export type BotCheckMode = 'off' | 'enforce' | 'monitor';
export type CaptchaProvider = 'turnstile' | 'hcaptcha' | 'recaptcha';
/** The flows a CAPTCHA can be asked for: the two anyone can start for any number. */
export type BotCheckFlow = 'passwordless' | 'signup';
/** What an unreachable verifier (timeout, network error, 5xx, an unreadable answer) means under `enforce`. */
export type VerifierFailure = 'fail_closed' | 'fail_open';

export const BOT_CHECK_MODES: readonly BotCheckMode[] = ['off', 'enforce', 'monitor'];
export const CAPTCHA_PROVIDERS: readonly CaptchaProvider[] = ['turnstile', 'hcaptcha', 'recaptcha'];
export const BOT_CHECK_FLOWS: readonly BotCheckFlow[] = ['passwordless', 'signup'];
export const VERIFIER_FAILURES: readonly VerifierFailure[] = ['fail_closed', 'fail_open'];

/** Each vendor's documented verification endpoint (all three take the same form and answer alike). */
export const OFFICIAL_SITEVERIFY_URLS: Readonly<Record<CaptchaProvider, string>> = Object.freeze({
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
  hcaptcha: 'https://api.hcaptcha.com/siteverify',
  recaptcha: 'https://www.google.com/recaptcha/api/siteverify',
});

/** The stored settings (the secret is stored apart, sealed). */
export interface PhoneBotCheckSettings {
  mode: BotCheckMode;
  provider: CaptchaProvider;
  /** null: the provider's official URL. */
  siteverify_url: string | null;
  flows: BotCheckFlow[];
  on_verifier_error: VerifierFailure;
  /** The sites a token may come from (the verifier's `hostname`, lower case); empty: not checked. */
  hostnames: string[];
  /** reCAPTCHA v3 / hCaptcha Enterprise: the lowest score accepted (an answer without a score is rejected); null: not checked. */
  min_score?: number | null;
  /** The action name the widget must have run with, per flow (reCAPTCHA v3, Turnstile); a flow not named: not checked. */
  actions?: Partial<Record<BotCheckFlow, string>>;
}

export function defaultBotCheckSettings(): PhoneBotCheckSettings {
  return { mode: 'off', provider: 'turnstile', siteverify_url: null, flows: ['passwordless', 'signup'], on_verifier_error: 'fail_closed', hostnames: [], min_score: null, actions: {} };
}

export const siteverifyUrlOf = (s: PhoneBotCheckSettings): string => s.siteverify_url ?? OFFICIAL_SITEVERIFY_URLS[s.provider];

/** The longest token accepted (Turnstile's are at most 2,048 characters; hCaptcha's and reCAPTCHA's are shorter than 8 KiB). */
export const MAX_TOKEN_LENGTH = 8192;
const MAX_SECRET_LENGTH = 1024;
const MAX_URL_LENGTH = 2048;

const bad = (msg: string) => new AppError('invalid_body', `Payload validation error: ${msg}`);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const KEYS = new Set(['mode', 'provider', 'siteverify_url', 'flows', 'on_verifier_error', 'hostnames', 'min_score', 'actions', 'secret']);
/** An action name as the vendors allow it (reCAPTCHA: letters, `/` and `_`; Turnstile: letters, digits, `_` and `-`, at most 32). */
export const ACTION_NAME = /^[A-Za-z0-9/_-]{1,100}$/;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const MAX_HOSTNAMES = 20;

function oneOf<T extends string>(v: unknown, values: readonly T[], where: string): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw bad(`${where} must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}`);
  return v as T;
}

/** A PATCH body, checked: the settings part (as a JSON merge patch) and the secret's change, if any. */
export interface BotCheckPatch {
  settings: Record<string, unknown>;
  /** A new secret; null removes it; undefined leaves it. */
  secret: string | null | undefined;
}

export function splitPatch(body: unknown): BotCheckPatch {
  if (!isObject(body)) throw bad('the settings must be a JSON object');
  for (const k of Object.keys(body)) if (!KEYS.has(k)) throw bad(`Additional properties not allowed: ${k.length > 64 ? `(a property of ${k.length} characters)` : k}`);
  const { secret, ...settings } = body;
  if (secret !== undefined && secret !== null && (typeof secret !== 'string' || secret.length === 0 || secret.length > MAX_SECRET_LENGTH || /[\u0000-\u001f]/.test(secret))) {
    throw bad(`secret must be a string of 1 to ${MAX_SECRET_LENGTH} printable characters, or null to remove it`);
  }
  return { settings, secret: secret as string | null | undefined };
}

/**
 * Validates complete settings (after a merge patch). `urlProblem` is the verifier's own judgement of
 * a URL (https, and an address this server may call); it answers why not, or undefined.
 */
export function parseBotCheckSettings(v: unknown, urlProblem: (url: URL) => string | undefined): PhoneBotCheckSettings {
  if (!isObject(v)) throw bad('the settings must be a JSON object');
  const d = defaultBotCheckSettings();
  const out: PhoneBotCheckSettings = {
    mode: v['mode'] === undefined ? d.mode : oneOf(v['mode'], BOT_CHECK_MODES, 'mode'),
    provider: v['provider'] === undefined ? d.provider : oneOf(v['provider'], CAPTCHA_PROVIDERS, 'provider'),
    siteverify_url: null,
    flows: d.flows,
    on_verifier_error: v['on_verifier_error'] === undefined ? d.on_verifier_error : oneOf(v['on_verifier_error'], VERIFIER_FAILURES, 'on_verifier_error'),
    hostnames: [],
    min_score: null,
    actions: {},
  };
  const score = v['min_score'];
  if (score !== undefined && score !== null) {
    if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 1) throw bad('min_score must be a number from 0.0 to 1.0, or null');
    out.min_score = score;
  }
  const a = v['actions'];
  if (a !== undefined && a !== null) {
    if (!isObject(a)) throw bad('actions must be an object naming an action per flow ({"passwordless": "login"})');
    for (const [flow, name] of Object.entries(a)) {
      if (name === null) continue;
      const f = oneOf(flow, BOT_CHECK_FLOWS, 'actions');
      if (typeof name !== 'string' || !ACTION_NAME.test(name)) throw bad(`actions.${f} must be an action name (letters, digits, /, _ and -, at most 100)`);
      out.actions![f] = name;
    }
  }
  const h = v['hostnames'];
  if (h !== undefined) {
    if (!Array.isArray(h) || h.length > MAX_HOSTNAMES) throw bad(`hostnames must be an array of at most ${MAX_HOSTNAMES} host names`);
    for (const x of h) {
      if (typeof x !== 'string' || !HOSTNAME.test(x.toLowerCase())) throw bad('hostnames must hold host names (app.example.com), without scheme, port or path');
      if (!out.hostnames.includes(x.toLowerCase())) out.hostnames.push(x.toLowerCase());
    }
  }
  const u = v['siteverify_url'];
  if (u !== undefined && u !== null) {
    if (typeof u !== 'string' || u.length === 0 || u.length > MAX_URL_LENGTH) throw bad(`siteverify_url must be a URL of at most ${MAX_URL_LENGTH} characters`);
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw bad('siteverify_url must be an absolute URL');
    }
    if (url.username || url.password) throw bad('siteverify_url must not carry a user name or password');
    if (url.hash) throw bad('siteverify_url must not have a fragment');
    const problem = urlProblem(url);
    if (problem) throw bad(`siteverify_url ${problem}`);
    out.siteverify_url = url.href;
  }
  const f = v['flows'];
  if (f !== undefined) {
    if (!Array.isArray(f)) throw bad('flows must be an array');
    const flows = new Set<BotCheckFlow>();
    for (const x of f) flows.add(oneOf(x, BOT_CHECK_FLOWS, 'flows[]'));
    out.flows = BOT_CHECK_FLOWS.filter((x) => flows.has(x));
  }
  return out;
}

/** Reason codes (the `phone_send_denied` log line, the notification's `policy`, `/metrics`). */
export const BOT_CHECK_REASONS = {
  /** No `captcha` in the request. */
  missing: 'captcha_missing',
  /** The verifier said no (`success: false`), or the token is not one a verifier could accept. */
  rejected: 'captcha_rejected',
  /** The verifier could not be asked (timeout, network, 5xx, an unreadable answer). */
  unavailable: 'captcha_unavailable',
} as const;

export type BotCheckFailure = keyof typeof BOT_CHECK_REASONS;
