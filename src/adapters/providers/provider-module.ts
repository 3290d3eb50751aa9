import type { Config } from '../../config.js';
import type { ProviderKind } from '../../domain/phone-provider/provider-kind.js';
import type { ActionsModule } from '../actions/module.js';
import type { ProviderSettingsSection } from './provider-settings.js';

/** What a kind may be built with: the process configuration (its own settings among it) and the Actions runtime. */
export interface ProviderKindDeps {
  config: Config;
  actions: Pick<ActionsModule, 'customSender' | 'customProviderActions'>;
}

/**
 * A provider kind as the composition root sees it: its settings section, read with the rest of the
 * configuration at start, and how to build the kind (its clients, connection pools) once per process.
 */
export interface ProviderKindModule<T extends object = object> {
  readonly name: string;
  readonly settings?: ProviderSettingsSection<T>;
  create(deps: ProviderKindDeps): ProviderKind;
}
