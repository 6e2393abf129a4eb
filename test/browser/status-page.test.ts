// The status page in a real browser: Debian's Chromium driven by playwright-core, against a
// running `stepwatch demo` with a failure forced on one endpoint. Screenshots go to test-artifacts/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { startCli } from '../support/cli.js';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);

describe('the status page in Chromium', () => {
  let demo: ReturnType<typeof startCli>;
  let browser: Browser;
  let url: string;
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    demo = startCli(['demo', '--port', '0'], { env: {} });
    const [, apiUrl = ''] = await demo.waitFor(/demo API listening on (http:\/\/127\.0\.0\.1:\d+)/);
    [, url = ''] = await demo.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+)"/);
    await fetch(`${apiUrl}/demo/outage`, { method: 'POST', body: JSON.stringify({ path: '/v1/browse/new-releases', status: 503 }) });
    await demo.waitFor(/"monitor":"demo-new-releases","passed":false/, 20_000);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
    demo?.child.kill('SIGTERM');
    await demo?.exited;
  });

  it('lists the monitors and shows the failing one with its step and reason', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(url);
    const rows = page.locator('tbody tr');
    assert.equal(await rows.count(), 3);
    const failing = rows.filter({ hasText: 'demo-new-releases' });
    assert.equal(await failing.locator('.badge').innerText(), 'failing');
    assert.match(await failing.innerText(), /Get new releases\s*\(status\)/);
    await page.screenshot({ path: new URL('status-page-overview.png', ARTIFACTS).pathname, fullPage: true });
  });

  it("shows the failing step's response excerpt on the monitor page, readable on a phone", async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(url);
    await page.getByRole('link', { name: 'demo-new-releases' }).click();
    await page.waitForURL(/\/monitors\/demo-new-releases$/);
    const latest = page.locator('section').first();
    assert.match(await latest.innerText(), /Get new releases[\s\S]*failed[\s\S]*status: expected status to equal 200, got 503/);
    const excerpt = await latest.locator('details pre').innerText();
    assert.match(excerpt, /^HTTP 503/);
    assert.match(excerpt, /demo outage/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px on a phone`);
    await page.screenshot({ path: new URL('status-page-failing-step.png', ARTIFACTS).pathname, fullPage: true });
  });
});
