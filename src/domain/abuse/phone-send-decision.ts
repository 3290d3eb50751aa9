import type { GuardDecision } from '../notifications/send-policy.js';
import { SEND_FLOWS, type SendFlow } from '../notifications/send-flows.js';
import type { DeliveryMethod } from '../ports.js';
import { DELIVERY_METHODS, NON_GEOGRAPHIC, type CountryMode, type CountryRule, type NumberTypeMode, type NumberTypeRule, type PhoneSendPolicy } from './phone-send-policy.js';

/** The send policy's decision on one send, from its compiled form: no I/O, a few set lookups. */

interface CompiledCountries {
  mode: CountryMode;
  list: ReadonlySet<string>;
}
interface CompiledTypes {
  mode: NumberTypeMode;
  blocked: ReadonlySet<string>;
}
interface CompiledFlow {
  countries: CompiledCountries;
  types: CompiledTypes;
  text: boolean;
  voice: boolean;
}

/** A policy ready to decide: sets instead of arrays, each flow with its effective rules. */
export type CompiledPolicy = Readonly<Record<SendFlow, CompiledFlow>>;

export function compilePolicy(p: PhoneSendPolicy): CompiledPolicy {
  const countries = (r: CountryRule): CompiledCountries => ({ mode: r.mode, list: new Set(r.list) });
  const types = (r: NumberTypeRule): CompiledTypes => ({ mode: r.mode, blocked: new Set(r.blocked) });
  const base = { countries: countries(p.countries), types: types(p.number_types) };
  const out = {} as Record<SendFlow, CompiledFlow>;
  for (const flow of SEND_FLOWS) {
    const o = p.flows[flow] ?? {};
    const methods = o.delivery_methods ?? DELIVERY_METHODS;
    out[flow] = {
      countries: o.countries ? countries(o.countries) : base.countries,
      types: o.number_types ? types(o.number_types) : base.types,
      text: methods.includes('text'),
      voice: methods.includes('voice'),
    };
  }
  return out;
}

/** What the policy looks at in a send. */
export interface Destination {
  flow: SendFlow;
  deliveryMethod: DeliveryMethod;
  country: string | undefined;
  numberType: string | undefined;
  /** A tenant's test number: never denied for its country or type (it never reaches a provider). */
  testNumber: boolean;
}

const ALLOWED: GuardDecision = Object.freeze({ verdict: 'allow' });
const METHOD_NAMES: Record<DeliveryMethod, string> = { text: 'Text messages', voice: 'Voice calls' };

/**
 * The policy's decision on one send, without I/O: the delivery method first, then the country,
 * then the number type. A deny wins over a monitored match; the first monitored match is the reason.
 */
export function decide(policy: CompiledPolicy, d: Destination): GuardDecision {
  const rules = policy[d.flow];
  if (!rules[d.deliveryMethod]) {
    return {
      verdict: 'deny',
      error: 'delivery_method_not_allowed',
      reason: 'delivery_method_denied',
      message: `${METHOD_NAMES[d.deliveryMethod]} are not allowed for ${d.flow} messages by this tenant's send policy`,
    };
  }
  if (d.testNumber) return ALLOWED;
  let monitored: string | undefined;
  const country = d.country ?? NON_GEOGRAPHIC;
  const c = rules.countries;
  if (c.mode === 'monitor') {
    if (c.list.has(country)) monitored = 'country_monitored';
  } else if (c.list.has(country) === (c.mode === 'deny_list')) {
    return {
      verdict: 'deny',
      error: 'phone_destination_not_allowed',
      reason: 'country_denied',
      message: country === NON_GEOGRAPHIC ? 'Messages to non-geographic phone numbers are not allowed' : `Messages to phone numbers of country ${country} are not allowed`,
    };
  }
  const type = d.numberType ?? 'UNKNOWN';
  if (rules.types.blocked.has(type)) {
    if (rules.types.mode === 'monitor') monitored ??= 'number_type_monitored';
    else {
      return {
        verdict: 'deny',
        error: 'phone_destination_not_allowed',
        reason: 'number_type_denied',
        message: `Messages to ${type.toLowerCase().replace(/_/g, '-')} phone numbers are not allowed`,
      };
    }
  }
  return monitored ? { verdict: 'allow', reason: monitored } : ALLOWED;
}
