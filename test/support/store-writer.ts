// Writes to a refresh-token store as fast as it can until killed; the crash test kills it mid-write.
import { RefreshTokenStore } from '../../src/oauth2/refresh-token-store.js';

const store = new RefreshTokenStore(process.argv[2] ?? '.');
process.stdout.write('ready\n');
for (let i = 0; ; i++) await store.set(`monitor-${i % 5}/step`, `token-${i}-${'x'.repeat(2000)}`);
