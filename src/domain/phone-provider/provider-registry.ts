import type { TProperties, TSchema } from '@sinclair/typebox';
import type { PhoneProviderConfiguration } from '../ports.js';
import { DefaultFromSchema, DeliveryMethodsSchema, type ProviderCredentials, type ProviderKind, type ProviderReceipts } from './provider-kind.js';

// Underscores too: Auth0 names the gateway kind `sms_gateway`.
const NAME = /^[a-z][a-z0-9_-]{0,99}$/;

/** Adds `props` to `into`, refusing a key two kinds declare differently (the API has one schema per key). */
function merge(into: Record<string, TSchema>, props: TProperties, kind: string, what: string): void {
  for (const [key, schema] of Object.entries(props)) {
    const seen = into[key];
    if (seen && JSON.stringify(seen) !== JSON.stringify(schema)) throw new Error(`provider kind ${kind} declares ${what} key ${key} unlike another kind`);
    into[key] = schema;
  }
}

/**
 * The provider kinds of this server, by name. Built once by the composition root from the list in
 * `adapters/providers/registry.ts`; the provider API, the dispatcher, the receipt service and the
 * webhooks read the kinds from here and nothing else.
 */
export class ProviderRegistry {
  private readonly byName = new Map<string, ProviderKind>();
  /** Every kind's configuration keys, in response order: first seen first, `delivery_methods` last. */
  readonly configurationProperties: Readonly<TProperties>;
  /** Every kind's credential keys. */
  readonly credentialsProperties: Readonly<TProperties>;

  constructor(kinds: readonly ProviderKind[]) {
    const configuration: Record<string, TSchema> = {};
    const credentials: Record<string, TSchema> = {};
    for (const kind of kinds) {
      if (!NAME.test(kind.name)) throw new Error(`provider kind name ${JSON.stringify(kind.name)} is not [a-z][a-z0-9_-]*`);
      if (this.byName.has(kind.name)) throw new Error(`provider kind ${kind.name} is registered twice`);
      this.byName.set(kind.name, kind);
      merge(configuration, kind.configuration, kind.name, 'configuration');
      merge(credentials, kind.credentials, kind.name, 'credentials');
    }
    const { delivery_methods: _last, ...rest } = configuration;
    this.configurationProperties = Object.freeze({ ...rest, default_from: rest['default_from'] ?? DefaultFromSchema, delivery_methods: DeliveryMethodsSchema });
    this.credentialsProperties = Object.freeze(credentials);
  }

  /** The kinds' names, in registration order. */
  get names(): string[] {
    return [...this.byName.keys()];
  }

  get(name: string): ProviderKind | undefined {
    return this.byName.get(name);
  }

  /** The kinds that take delivery receipts. */
  withReceipts(): Array<ProviderKind & { receipts: ProviderReceipts }> {
    return [...this.byName.values()].filter((k): k is ProviderKind & { receipts: ProviderReceipts } => k.receipts !== undefined);
  }

  /** The configuration with known keys only, in the order responses list them. */
  normalizeConfiguration(cfg: PhoneProviderConfiguration): PhoneProviderConfiguration {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(this.configurationProperties)) {
      if (key === 'delivery_methods') out[key] = [...cfg.delivery_methods];
      else if (cfg[key] !== undefined) out[key] = cfg[key];
    }
    return out as PhoneProviderConfiguration;
  }

  /** The credentials with known keys only, so nothing unexpected ends up sealed (and later handed to a sender). */
  pickCredentials(credentials: Readonly<Record<string, unknown>>): ProviderCredentials {
    const out: Record<string, string> = {};
    for (const key of Object.keys(this.credentialsProperties)) {
      const v = credentials[key];
      if (typeof v === 'string') out[key] = v;
    }
    return out;
  }
}
