import { FileRefreshTokenStore } from './file-refresh-token-store.js';
import type { RefreshTokenStore } from './refresh-token-store.js';
import { TokenCache } from './token-cache.js';

/** What oauth2 steps keep between runs: reused access tokens and the refresh-token store. */
export interface OAuth2Services {
  tokens: TokenCache;
  store: RefreshTokenStore;
}

/**
 * The token cache and refresh-token store for a process. The store is read once here, so an
 * unreadable one stops start-up with a clear message (CorruptStoreError) instead of failing
 * every run later; it is never emptied or overwritten to "repair" it. A store other than the
 * data folder's (cluster mode) is passed in.
 */
export async function openOAuth2Services(dataDir: string, store: RefreshTokenStore = new FileRefreshTokenStore(dataDir)): Promise<OAuth2Services> {
  await store.check();
  return { tokens: new TokenCache(), store };
}
