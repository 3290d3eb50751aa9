import type { PhoneSender } from '../../domain/notifications/sender.js';
import type { ProviderKind } from '../../domain/phone-provider/provider-kind.js';
import type { CustomProviderActions } from './custom/custom-action-sender.js';
import type { ProviderSettingsSection } from './provider-settings.js';

/**
 * What a kind may be built with: its own settings (the keys its section read from the environment),
 * the server's public URL (callback URLs) and the Actions runtime. Not the whole configuration: the
 * configuration is built from the kinds' sections, so a kind that imported it would import itself.
 */
export interface ProviderKindDeps<T extends object = object> {
  settings: T;
  /** The server's public base URL (`PUBLIC_URL`), when it has one. */
  publicUrl: string | undefined;
  actions: { customSender: PhoneSender; customProviderActions: CustomProviderActions };
}

/**
 * A provider kind as the composition root sees it: its settings section, read with the rest of the
 * configuration at start, and how to build the kind (its clients, connection pools) once per process.
 */
export interface ProviderKindModule<T extends object = object> {
  readonly name: string;
  readonly settings?: ProviderSettingsSection<T>;
  create(deps: ProviderKindDeps<T>): ProviderKind;
}
