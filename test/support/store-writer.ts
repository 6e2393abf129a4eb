// Writes to a refresh-token store as fast as it can until killed, printing a line after each
// write is on disk; the crash test kills it after a given number of writes, in the middle of the next.
import { FileRefreshTokenStore } from '../../src/oauth2/file-refresh-token-store.js';

const store = new FileRefreshTokenStore(process.argv[2] ?? '.');
for (let i = 0; ; i++) {
  await store.put(`monitor-${i % 5}/step`, `token-${i}-${'x'.repeat(2000)}`);
  process.stdout.write(`wrote ${i}\n`);
}
