import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '../../infra/build/console';
import { freePort } from '../../platform/free-port';
import { CALLED, CALLING } from '../relay/support/basic-call';
import { bundleRelays } from '../relay/support/bundle-relays';
import { startSipp } from '../relay/support/sipp';
import { tandemConfig } from '../relay/support/tandem-config';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * The console in a real browser (Debian's chromium, driven by playwright-core) against the real
 * local stack: the operator's forms, a simulation, the CDR of a sipp call through a relay bundle,
 * and a customer key that sees only its own customer. Screenshots of each screen are kept in
 * test-artifacts/console/.
 */
const CHROMIUM = process.env['TANDEM_CHROMIUM'] ?? '/usr/bin/chromium';
const artifacts = resolve(import.meta.dirname, '../../test-artifacts/console');
const suffix = Math.random().toString(36).slice(2, 7);

let stack: TestStack;
let browser: Browser;
let relays: ReturnType<typeof bundleRelays>;
const shots: string[] = [];

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  await buildConsole();
  stack = await startTestStack();
  relays = bundleRelays(stack);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await relays?.killAll();
  await stack?.stop();
});

async function screenshot(page: Page, name: string) {
  const path = join(artifacts, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  shots.push(path);
}

async function signIn(key: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(`${stack.apiUrl}/console/`);
  await page.getByLabel('API key', { exact: true }).fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  expect(page.url()).not.toContain(key);
  return page;
}

/**
 * Inputs, selects and text areas on the page without an accessible name (a label or aria-label).
 * Browser code is passed as text: the tests are type-checked without the DOM's types.
 */
const unlabelled = (page: Page) =>
  page.evaluate<string[]>(`[...document.querySelectorAll('input, select, textarea')]
    .filter((e) => e.labels.length === 0 && !e.getAttribute('aria-label'))
    .map((e) => e.id || e.outerHTML)`);

const customerName = `Acme ${suffix}`;
const providerName = `Carrier ${suffix}`;
let customerId = '';
let providerPort = 0;

describe('the console', () => {
  it('serves its page and assets from the API with no other origin', async () => {
    const page = await stack.request('GET', '/console/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('/console/app.js');
    expect(html).not.toMatch(/https?:\/\//);
    expect((await stack.request('GET', '/console/app.js')).status).toBe(200);
    expect((await stack.request('GET', '/console/secret.txt')).status).toBe(404);
  });

  it('signs the operator in, creates a customer, a provider and a route through the forms, showing the API’s error at the field', async () => {
    const page = await signIn(stack.adminKey);
    // The key is kept in this tab's session storage only.
    expect(await page.evaluate<number>('sessionStorage.length + localStorage.length')).toBe(1);

    // Keyboard: the first Tab reaches the skip link, with a visible focus ring.
    await page.keyboard.press('Tab');
    const focused = await page.evaluate<{ text: string; outline: string }>(
      '({ text: document.activeElement.textContent, outline: getComputedStyle(document.activeElement).outlineStyle })',
    );
    expect(focused).toEqual({ text: 'Skip to content', outline: 'solid' });

    await page.getByRole('button', { name: 'New customer' }).click();
    await page.getByLabel('Name (required)', { exact: true }).fill(customerName);
    expect(await unlabelled(page)).toEqual([]);
    await screenshot(page, 'customer-form');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('status').getByText(`Created customer ${customerName}.`).waitFor();
    await page.getByRole('cell', { name: customerName, exact: true }).waitFor();
    await screenshot(page, 'customers');
    const customers = await stack.api<{ result: { id: string; name: string }[] }>('GET', '/v1/customers');
    customerId = customers.result.find((c) => c.name === customerName)!.id;

    providerPort = await freePort();
    await page.goto(`${stack.apiUrl}/console/#/providers`);
    await page.getByRole('button', { name: 'New provider' }).click();
    await page.getByLabel('Name (required)', { exact: true }).fill(providerName);
    await page.getByLabel('Host name or address (required)', { exact: true }).fill('not a host!');
    await page.getByLabel('Port', { exact: true }).fill(String(providerPort));
    await page.getByRole('button', { name: 'Create' }).click();
    // The API's 400 names `hostname`: its message sits under the field, which is marked invalid.
    const host = page.getByLabel('Host name or address (required)', { exact: true });
    await expect.poll(() => host.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#form-providers-hostname-error').textContent()).not.toBe('');
    await screenshot(page, 'provider-field-error');
    await host.fill('127.0.0.1');
    await page
      .getByLabel('Allowed sources (JSON)', { exact: true })
      .fill(JSON.stringify([{ cidr: '127.0.0.1', port: providerPort }]));
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('cell', { name: providerName, exact: true }).waitFor();
    await screenshot(page, 'providers');

    // The provider's rate deck: a line the API refuses is named with its line number, then an import.
    await page.goto(`${stack.apiUrl}/console/#/rates`);
    await page.getByLabel('Deck of', { exact: true }).selectOption({ label: providerName });
    const deckCsv = page.getByLabel(/^CSV lines/);
    await deckCsv.fill('+82,0.05\n+8210,lots');
    await page.getByRole('button', { name: 'Import' }).click();
    await page
      .getByRole('alert')
      .getByText(/^line 2: /)
      .waitFor();
    await deckCsv.fill('+82,0.05\n+8210,0.04,0.01');
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('status').getByText('Imported 2 lines: the deck is replaced.').waitFor();
    await page.getByRole('cell', { name: '+8210', exact: true }).waitFor();
    expect(await unlabelled(page)).toEqual([]);
    await screenshot(page, 'rate-deck');

    await page.goto(`${stack.apiUrl}/console/#/routes`);
    await page.getByRole('button', { name: 'New route' }).click();
    await page.getByLabel('Customer (required)', { exact: true }).selectOption({ label: customerName });
    await page.getByLabel('Prefix (E.164, or all) (required)', { exact: true }).fill('+82');
    await page.getByLabel('Provider (required)', { exact: true }).selectOption({ label: providerName });
    await page.getByLabel('Priority', { exact: true }).fill('1');
    expect(await unlabelled(page)).toEqual([]);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('cell', { name: '+82', exact: true }).waitFor();
    await screenshot(page, 'routes');

    // Deleting the provider a route names: the API's 409 reason is shown.
    await page.goto(`${stack.apiUrl}/console/#/providers`);
    await page.getByRole('button', { name: `Delete ${providerName}` }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/^409 .*still referenced by .*1 route/);
    await screenshot(page, 'provider-delete-409');

    // A disabled route on a longer prefix: the simulation lists it as skipped, with its reason.
    const providers = await stack.api<{ result: { id: string; name: string }[] }>('GET', '/v1/providers');
    const providerId = providers.result.find((p) => p.name === providerName)!.id;
    await stack.api('POST', '/v1/routes', {
      customer_id: customerId,
      provider_id: providerId,
      target: '+8210',
      name: 'disabled-8210',
      enabled: false,
    });

    await page.goto(`${stack.apiUrl}/console/#/routing`);
    await page.getByLabel('Customer', { exact: true }).selectOption({ label: customerName });
    await page.getByLabel('Number dialled', { exact: true }).fill(CALLED);
    await page.getByRole('button', { name: 'Simulate' }).click();
    const targets = page.getByRole('table', { name: 'Ordered targets' });
    await targets.getByRole('cell', { name: providerName, exact: true }).waitFor();
    expect(await targets.locator('tbody tr').count()).toBe(1);
    const skipped = page.getByRole('table', { name: 'Skipped (1)' });
    expect(await skipped.locator('tbody tr').first().textContent()).toBe(
      `${providerName}disabled-8210route_disabled`,
    );
    expect(await page.getByRole('heading', { name: 'Decision: route' }).count()).toBe(1);
    expect(await page.locator('.tier.matches code').allTextContents()).toEqual(['+8210', '+82']);
    expect(await unlabelled(page)).toEqual([]);
    await screenshot(page, 'routing');
    await page.context().close();
  });

  it('shows the CDR of a sipp call with its attempts as a timeline, and the provider’s figures', async () => {
    const ipbxPort = await freePort();
    await tandemConfig(stack).ipbx(customerId, ipbxPort, 'udp');
    const { port } = await relays.start({ TANDEM_CDR_URL: `${stack.apiUrl}/v1/cdrs` });
    const uas = await startSipp({ scenario: 'uas-answer.xml', port: providerPort, transport: 'udp' });
    const uac = await startSipp({
      scenario: 'uac-call.xml',
      render: { __HOLD_MS__: '300' },
      port: ipbxPort,
      transport: 'udp',
      remote: `127.0.0.1:${port}`,
      service: CALLED,
      keys: { caller: CALLING },
    });
    expect((await uac.done).code).toBe(0);
    await Promise.race([uas.done, new Promise((r) => setTimeout(r, 5000))]);

    const page = await signIn(stack.adminKey);
    await page.goto(`${stack.apiUrl}/console/#/live`);
    await page.getByLabel('Callee', { exact: true }).fill(CALLED);
    const row = page.getByRole('button', { name: /^Timeline of call / });
    // The relay ships its CDRs in batches: search again until the call's record is in.
    const deadline = Date.now() + 60_000;
    while ((await row.count()) === 0 && Date.now() < deadline) {
      await page.getByRole('button', { name: 'Search CDRs' }).click();
      await page.waitForTimeout(500);
    }
    await row.first().click();
    const chart = page.getByRole('img', { name: /^Timeline of 1 attempts over \d+ ms$/ });
    await chart.waitFor();
    expect(await chart.locator('rect.bar.ok').count()).toBe(1);
    expect(await page.locator('ol.attempts li').first().textContent()).toContain(`${providerName}: 200`);
    // The stats read the same record: the provider answered its one attempt.
    await page.getByRole('button', { name: 'Refresh' }).click();
    const providerRow = page.getByRole('row', { name: new RegExp(providerName) });
    await expect.poll(() => providerRow.textContent(), { timeout: 10_000 }).toContain('100 %');
    expect(await page.getByRole('img', { name: 'Calls per second over the last hour' }).count()).toBe(1);
    expect(await unlabelled(page)).toEqual([]);
    await screenshot(page, 'live');
    await page.context().close();
  });

  it('shows a customer key its own customer’s objects only', async () => {
    const config = tandemConfig(stack);
    const other = await stack.api<{ id: string; name: string }>('POST', '/v1/customers', {
      name: `Other ${suffix}`,
    });
    const providers = await stack.api<{ result: { id: string; name: string }[] }>('GET', '/v1/providers');
    const provider = providers.result.find((p) => p.name === providerName)!;
    await config.route(other.id, provider.id, '+4477', 3);
    const { key } = await stack.api<{ key: string }>('POST', '/v1/api-keys', { customer_id: customerId });

    const page = await signIn(key);
    await page.getByRole('cell', { name: customerName, exact: true }).waitFor();
    expect(await page.getByRole('cell', { name: `Other ${suffix}`, exact: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'New customer' }).count()).toBe(0);
    await screenshot(page, 'customer-key-customers');

    await page.goto(`${stack.apiUrl}/console/#/routes`);
    await page.getByRole('cell', { name: '+82', exact: true }).waitFor();
    expect(await page.getByRole('cell', { name: '+4477' }).count()).toBe(0);
    await screenshot(page, 'customer-key-routes');

    await page.goto(`${stack.apiUrl}/console/#/routing`);
    const options = await page.getByLabel('Customer', { exact: true }).locator('option').allTextContents();
    expect(options).toEqual([customerName]);
    await page.context().close();
  });

  it('kept a screenshot of each screen', () => {
    for (const name of [
      'customers',
      'provider-field-error',
      'providers',
      'routes',
      'provider-delete-409',
      'routing',
      'live',
    ]) {
      const path = join(artifacts, `${name}.png`);
      expect(existsSync(path)).toBe(true);
      expect(statSync(path).size).toBeGreaterThan(1000);
    }
    expect(shots.length).toBeGreaterThanOrEqual(11);
  });
});
