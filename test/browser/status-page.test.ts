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
    const latest = page.locator('section.run').first();
    assert.match(await latest.innerText(), /Get new releases[\s\S]*failed[\s\S]*status: expected status to equal 200, got 503/);
    const excerpt = await latest.locator('details pre').innerText();
    assert.match(excerpt, /^HTTP 503/);
    assert.match(excerpt, /demo outage/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px on a phone`);
    await page.screenshot({ path: new URL('status-page-failing-step.png', ARTIFACTS).pathname, fullPage: true });
  });

  it('draws the latency charts with the failed runs marked, and lists the incident with its step and answer', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${url}/monitors/demo-new-releases`);
    const charts = page.locator('figure.chart svg');
    assert.equal(await charts.count(), 2, 'one chart per step of the demo monitor');
    const failing = charts.nth(1);
    assert.match(String(await failing.getAttribute('aria-label')), /^Latency of step Get new releases over \d+ runs: .*; [1-9]\d* failed runs marked$/);
    assert.ok((await failing.locator('rect').count()) > 0, 'the chart has bars');
    const box = await failing.boundingBox();
    assert.ok(box && box.width > 300 && box.height > 60, `the chart is drawn at a readable size (${JSON.stringify(box)})`);
    assert.match(String(await failing.locator('.fail-marks title').first().textContent()), /^failed at .*: Get new releases \(status\)$/);
    const incident = page.locator('li.incident').first();
    assert.match(await incident.innerText(), /Ongoing[\s\S]*Step Get new releases failed with status/);
    await incident.locator('summary').click();
    assert.match(await incident.locator('pre').innerText(), /^HTTP 503[\s\S]*demo outage/);
    await page.screenshot({ path: new URL('status-page-monitor-charts.png', ARTIFACTS).pathname, fullPage: true });
  });

  it('is legible in dark mode and on a phone, charts included', async () => {
    const context = await browser.newContext({ colorScheme: 'dark', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    for (const [path, shot] of [['/', 'status-page-overview-dark.png'], ['/monitors/demo-new-releases', 'status-page-monitor-dark.png']] as const) {
      await page.goto(`${url}${path}`);
      const colours = await page.evaluate(() => {
        const body = getComputedStyle(document.body);
        const root = getComputedStyle(document.documentElement);
        return { fg: body.color, bg: root.backgroundColor, link: getComputedStyle(document.querySelector('a') as Element).color };
      });
      assert.ok(luminance(colours.bg) < 0.05, `${path}: the background is dark (${colours.bg})`);
      for (const colour of [colours.fg, colours.link]) assert.ok(contrast(colour, colours.bg) >= 4.5, `${path}: ${colour} on ${colours.bg} is below WCAG AA`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px on a phone`);
      await page.screenshot({ path: new URL(shot, ARTIFACTS).pathname, fullPage: true });
    }
    await context.close();
  });
});

/** Relative luminance of a CSS rgb() colour (WCAG 2.x). */
function luminance(css: string): number {
  const [r = 0, g = 0, b = 0] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((part) => {
    const channel = Number(part) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}
