import type { Sealer } from '../ports.js';
import { PHONE_PROVIDER_CREDENTIALS_PURPOSE } from '../purposes.js';
import type { ProviderCredentials } from './provider-kind.js';

/**
 * The one place a tenant provider's credentials are sealed and opened. Senders never see a sealed
 * value: the dispatcher (and the receipt check) open the credentials here and hand them over plain.
 */

/** A provider's credentials, sealed for storage as one JSON object. */
export function sealProviderCredentials(sealer: Pick<Sealer, 'seal'>, credentials: ProviderCredentials): string {
  return sealer.seal(JSON.stringify(credentials), PHONE_PROVIDER_CREDENTIALS_PURPOSE);
}

/** A provider's sealed credentials, opened (senders, receipt checks; never for API responses). */
export function openProviderCredentials(sealer: Pick<Sealer, 'open'>, sealed: string | null): ProviderCredentials {
  return sealed ? (JSON.parse(sealer.open(sealed, PHONE_PROVIDER_CREDENTIALS_PURPOSE)) as ProviderCredentials) : {};
}

/**
 * Opens credentials, remembering the last ones by their sealed text (new credentials are a new
 * sealed value, so an entry never goes stale): a burst of sends opens a tenant's credentials once.
 */
export class OpenedCredentials {
  private readonly cache = new Map<string, ProviderCredentials>();

  constructor(
    private readonly sealer: Pick<Sealer, 'open'>,
    private readonly capacity = 1000,
  ) {}

  open(sealed: string | null): ProviderCredentials {
    if (!sealed) return {};
    const hit = this.cache.get(sealed);
    if (hit) return hit;
    const opened = Object.freeze(openProviderCredentials(this.sealer, sealed));
    if (this.cache.size >= this.capacity) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(sealed, opened);
    return opened;
  }
}
