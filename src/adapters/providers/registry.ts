import type { ProviderKind } from '../../domain/phone-provider/provider-kind.js';
import { ProviderRegistry } from '../../domain/phone-provider/provider-registry.js';
import { customKind } from './custom/custom-kind.js';
import type { ProviderKindDeps, ProviderKindModule } from './provider-module.js';
import { smsGatewayKind } from './sms-gateway/sms-gateway-kind.js';
import { twilioKind } from './twilio/twilio-kind.js';

/**
 * Every provider kind of this server, in the order the API lists their configuration keys. Adding a
 * kind: its folder under `adapters/providers/`, one entry here, its tests.
 */
export const providerKinds = [twilioKind, customKind, smsGatewayKind] as const;

/** Kinds added by `registerProviderKind` (tests); they join every registry built afterwards in this process. */
const registered: ProviderKindModule[] = [];

/**
 * Test hook: adds a kind to the containers created from now on in this process (a test's kind, say,
 * with its own sender and receipts) without a change to any file here. Returns the undo.
 * A kind added here declares no environment settings: the configuration is read before.
 */
export function registerProviderKind(kind: ProviderKind | ProviderKindModule): () => void {
  const module: ProviderKindModule = 'create' in kind ? kind : { name: kind.name, create: () => kind };
  registered.push(module);
  return () => {
    const i = registered.indexOf(module);
    if (i >= 0) registered.splice(i, 1);
  };
}

/**
 * Builds every kind once, for one container. `config` is the process configuration, which holds
 * every kind's settings keys (config.ts merges the sections): each kind is handed it as its settings.
 */
export function createProviderRegistry(deps: { config: { publicUrl: string | undefined }; actions: ProviderKindDeps['actions'] }): ProviderRegistry {
  // Each module reads only its own keys, which the configuration holds: typed per module, passed whole.
  const modules = [...providerKinds, ...registered] as unknown as ReadonlyArray<ProviderKindModule<object>>;
  return new ProviderRegistry(modules.map((m) => m.create({ settings: deps.config, publicUrl: deps.config.publicUrl, actions: deps.actions })));
}
