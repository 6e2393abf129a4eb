import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Catalog } from '../../src/config/catalog.js';
import { DEMO_MONITORS_DIR } from '../../src/demo/demo-monitors.js';

describe('the monitors that ship with stepwatch', () => {
  it('the demo monitors are valid with the values `stepwatch demo` provides', async () => {
    const catalog = new Catalog([DEMO_MONITORS_DIR], { DEMO_API_URL: 'http://127.0.0.1:1', DEMO_API_TLS_URL: 'https://127.0.0.1:2', DEMO_CLIENT_ID: 'id', DEMO_CLIENT_SECRET: 's' });
    await catalog.refresh();
    assert.deepEqual(catalog.invalid(), []);
    assert.deepEqual(catalog.monitors().map((m) => m.name), ['demo-featured-playlists', 'demo-my-profile', 'demo-new-releases']);
  });

  it('the Spotify example is valid once its credentials are set, and says which are missing otherwise', async () => {
    const dir = fileURLToPath(new URL('../../monitors', import.meta.url));
    const withCredentials = new Catalog([dir], { SPOTIFY_CLIENT_ID: 'id', SPOTIFY_CLIENT_SECRET: 's' });
    await withCredentials.refresh();
    assert.deepEqual(withCredentials.invalid(), []);
    const without = new Catalog([dir], {});
    await without.refresh();
    const messages = without.invalid().flatMap((doc) => doc.diagnostics.map((d) => d.message));
    assert.ok(messages.some((m) => m.startsWith('environment variable SPOTIFY_CLIENT_ID is not set')));
    assert.ok(messages.some((m) => m.startsWith('environment variable SPOTIFY_CLIENT_SECRET is not set')));
  });
});
