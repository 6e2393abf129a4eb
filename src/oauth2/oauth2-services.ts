import type { OAuth2Services } from '../steps/step-context.js';
import { RefreshTokenStore } from './refresh-token-store.js';
import { TokenCache } from './token-cache.js';

/**
 * The token cache and refresh-token store for a process. The store is read once here, so an
 * unreadable one stops start-up with a clear message (CorruptStoreError) instead of failing
 * every run later; it is never emptied or overwritten to "repair" it.
 */
export async function openOAuth2Services(dataDir: string): Promise<OAuth2Services> {
  const store = new RefreshTokenStore(dataDir);
  await store.read();
  return { tokens: new TokenCache(), store };
}
