import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cdrRecord } from '../../contract/cdr.fixture';
import { settingLinks } from '../../functions/settings/links';
import { createStore, ensureTable } from '../../functions/store';
import { buildLambdas, type LambdaName, lambdaBundlePath } from '../../infra/build';
import { invokeBundle, type LambdaResponse } from '../../infra/check/invoke';
import {
  type LinkValues,
  lambdaRuntimeEnv,
  sstEncryptedEnv,
  sstResourceEnv,
} from '../../infra/check/sst-links';
import { startUpstashBridge, type UpstashBridge } from '../support/upstash-bridge';
import { apiGatewayV2Event, functionUrlEvent } from './lambda-events';

/** What a cold start loads and parses: the handler file (docs/design.md's target). */
const MAX_HANDLER_BYTES = 1024 * 1024;
/** Everything deployed, the chunks loaded on first use included: a guard against bloat. */
const MAX_FUNCTION_BYTES = 1.5 * 1024 * 1024;
const endpoint = inject('dynamodbEndpoint');
const token = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;
const links: LinkValues = {
  tableName: `tandem-infra-${randomUUID().slice(0, 8)}`,
  adminKey: token('tdm_admin_'),
  relayToken: token('tdm_relay_'),
  nonceSecret: token(''),
  upstashUrl: '',
  upstashToken: token(''),
};

let outDir: string;
let sizes: Record<LambdaName, number>;
let upstash: UpstashBridge;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'tandem-lambdas-'));
  // Upstash's REST protocol in front of the real redis-server of the run.
  upstash = await startUpstashBridge({ redisUrl: inject('redisUrl'), token: links.upstashToken });
  links.upstashUrl = upstash.url;
  sizes = await buildLambdas(outDir);
  await ensureTable(createStore({ endpoint, region: 'us-east-1', tableName: links.tableName }));
});

afterAll(async () => {
  await upstash?.stop();
  rmSync(outDir, { recursive: true, force: true });
});

/** A function's environment as AWS + SST give it; only the DynamoDB endpoint points at the emulator. */
function envFor(name: LambdaName, sst: Record<string, string>) {
  return { ...lambdaRuntimeEnv(`tandem-test-${name}`, 512), ...sst, TANDEM_DYNAMODB_ENDPOINT: endpoint };
}

const json = (response: LambdaResponse) => JSON.parse(response.body ?? 'null');
const admin = { authorization: `Bearer ${links.adminKey}` };
const relay = { authorization: `Bearer ${links.relayToken}` };

describe('Lambda bundles (as sst deploy builds them)', () => {
  it('load at most 1 MB at a cold start (the handler file), 1.5 MB with every chunk', () => {
    for (const [name, bytes] of Object.entries(sizes) as [LambdaName, number][]) {
      const handlerBytes = statSync(lambdaBundlePath(name, outDir)).size;
      expect(handlerBytes, `${name}: handler ${handlerBytes} bytes`).toBeGreaterThan(10_000);
      expect(handlerBytes, `${name}: handler ${handlerBytes} bytes`).toBeLessThanOrEqual(MAX_HANDLER_BYTES);
      expect(bytes, `${name}: ${bytes} bytes with its chunks`).toBeLessThanOrEqual(MAX_FUNCTION_BYTES);
    }
  });

  it('api: keeps what most requests never use out of the handler file (split into chunks)', () => {
    const handlerBytes = statSync(lambdaBundlePath('api', outDir)).size;
    expect(handlerBytes).toBeLessThan(sizes.api);
    // libphonenumber's metadata: in a chunk, loaded by the first DID check.
    const inHandler = readFileSync(lambdaBundlePath('api', outDir), 'utf8');
    expect(/import\("\.\/possible-number-\w+\.mjs"\)/.test(inHandler)).toBe(true);
    expect(inHandler.includes('country_calling_codes')).toBe(false);
  });

  it('api: answers Function URL and API Gateway v2 events with SST_RESOURCE_* links', async () => {
    const { results } = await invokeBundle(
      lambdaBundlePath('api', outDir),
      [
        functionUrlEvent({ method: 'GET', path: '/healthz' }),
        functionUrlEvent({
          method: 'POST',
          path: '/v1/customers',
          headers: admin,
          body: { name: 'Bundle Co' },
        }),
        apiGatewayV2Event({
          method: 'GET',
          path: '/v1/customers',
          query: { page_size: '100' },
          headers: admin,
        }),
        apiGatewayV2Event({ method: 'GET', path: '/v1/customers' }),
      ],
      envFor('api', sstResourceEnv(links)),
    );
    const [health, created, list, anonymous] = results.map((r) => r.response);
    expect(health?.statusCode).toBe(200);
    expect(json(health!)).toEqual({ status: 'ok' });
    expect(created?.statusCode).toBe(201);
    const customer = json(created!);
    expect(customer).toMatchObject({ name: 'Bundle Co' });
    expect(list?.statusCode).toBe(200);
    expect(json(list!).result.map((c: { id: string }) => c.id)).toContain(customer.id);
    expect(anonymous?.statusCode).toBe(401);
  });

  it('api: maps store and validation errors inside the bundle (409 on a taken domain, 400 naming the field)', async () => {
    const customer = { name: 'Errors Co' };
    const bundle = lambdaBundlePath('api', outDir);
    const env = envFor('api', sstResourceEnv(links));
    const [created] = (
      await invokeBundle(
        bundle,
        [functionUrlEvent({ method: 'POST', path: '/v1/customers', headers: admin, body: customer })],
        env,
      )
    ).results;
    const customerId = json(created!.response).id as string;
    const domain = { customer_id: customerId, name: `pbx-${randomUUID().slice(0, 8)}.example.net` };
    const did = (number: string) => ({ customer_id: customerId, number, ipbx_id: randomUUID() });
    const { results } = await invokeBundle(
      bundle,
      [
        functionUrlEvent({ method: 'POST', path: '/v1/domains', headers: admin, body: domain }),
        functionUrlEvent({ method: 'POST', path: '/v1/domains', headers: admin, body: domain }),
        functionUrlEvent({
          method: 'POST',
          path: '/v1/domains',
          headers: admin,
          body: { ...domain, name: '' },
        }),
        // DID numbers are checked by libphonenumber, a chunk of its own loaded on first use.
        functionUrlEvent({ method: 'POST', path: '/v1/dids', headers: admin, body: did('+1415') }),
        functionUrlEvent({ method: 'POST', path: '/v1/dids', headers: admin, body: did('+14155550100') }),
      ],
      env,
    );
    const [first, taken, invalid, impossibleNumber, possibleNumber] = results.map((r) => r.response);
    expect(first?.statusCode).toBe(201);
    // DynamoDB's TransactionCanceledException, recognised in the minified bundle.
    expect(taken?.statusCode).toBe(409);
    expect(taken?.headers?.['content-type']).toContain('application/problem+json');
    expect(invalid?.statusCode).toBe(400);
    expect(json(invalid!).errors.map((e: { field: string }) => e.field)).toContain('name');
    const fields = (response?: LambdaResponse) =>
      json(response!).errors.map((e: { field: string }) => e.field);
    expect(impossibleNumber?.statusCode).toBe(400);
    expect(fields(impossibleNumber)).toEqual(['number']);
    // A possible number passes the check; the made-up IPBX is what is left to reject.
    expect(possibleNumber?.statusCode).toBe(400);
    expect(fields(possibleNumber)).toEqual(['ipbx_id']);
  });

  it('api: serves /docs and Swagger UI from files beside the bundle, with no link off the host', async () => {
    const { results } = await invokeBundle(
      lambdaBundlePath('api', outDir),
      [
        functionUrlEvent({ method: 'GET', path: '/docs' }),
        functionUrlEvent({ method: 'GET', path: '/docs/assets/swagger-ui-bundle.js' }),
        functionUrlEvent({ method: 'GET', path: '/docs/assets/swagger-ui.css' }),
      ],
      envFor('api', sstResourceEnv(links)),
    );
    const [page, script, css] = results.map((r) => r.response);
    expect(page?.statusCode).toBe(200);
    expect(page?.body).toContain('/docs/assets/swagger-ui-bundle.js');
    expect(page?.body).not.toMatch(/(?:src|href)="https?:/);
    expect(script?.statusCode).toBe(200);
    const scriptText = script?.isBase64Encoded
      ? Buffer.from(script.body ?? '', 'base64').toString()
      : script?.body;
    expect(scriptText).toContain('SwaggerUIBundle');
    expect(css?.statusCode).toBe(200);
  });

  it('api: serves the console from its built files beside the bundle, with no link off the host', async () => {
    const { results } = await invokeBundle(
      lambdaBundlePath('api', outDir),
      [
        functionUrlEvent({ method: 'GET', path: '/console/' }),
        functionUrlEvent({ method: 'GET', path: '/console/app.js' }),
      ],
      envFor('api', sstResourceEnv(links)),
    );
    const [page, script] = results.map((r) => r.response);
    expect(page?.statusCode).toBe(200);
    expect(page?.body).toContain('/console/app.js');
    expect(page?.body).not.toMatch(/(?:src|href)="https?:/);
    expect(script?.statusCode).toBe(200);
  });

  it('api: reads its links from resource.enc + SST_KEY as a deployed function does', async () => {
    const bundle = lambdaBundlePath('api', outDir);
    const { results } = await invokeBundle(
      bundle,
      [functionUrlEvent({ method: 'GET', path: '/v1/customers', headers: admin })],
      envFor('api', sstEncryptedEnv(links, dirname(bundle))),
    );
    expect(results[0]?.response.statusCode).toBe(200);
    expect(json(results[0]!.response).result.map((c: { name: string }) => c.name)).toContain('Bundle Co');
  });

  it('decision: answers a decide call from a relay over both event kinds', async () => {
    const decide = {
      call_id: `${randomUUID()}@198.51.100.7`,
      source: { ip: '198.51.100.7', port: 5060, transport: 'udp' },
      request_uri: 'sip:+4930123456@relay.example.net',
      from: '<sip:+4930999@198.51.100.7>;tag=1',
      to: '<sip:+4930123456@relay.example.net>',
    };
    const { results } = await invokeBundle(
      lambdaBundlePath('decision', outDir),
      [
        functionUrlEvent({ method: 'POST', path: '/v1/routing/decide', headers: relay, body: decide }),
        apiGatewayV2Event({ method: 'POST', path: '/v1/routing/decide', headers: relay, body: decide }),
        functionUrlEvent({ method: 'POST', path: '/v1/routing/decide', body: decide }),
      ],
      envFor('decision', sstResourceEnv(links)),
    );
    const [viaUrl, viaGateway, unauthenticated] = results.map((r) => r.response);
    // An unknown source is never routed: the decision answers reject 403 (docs/design.md, "How a call flows").
    expect(viaUrl?.statusCode).toBe(200);
    expect(json(viaUrl!)).toMatchObject({ action: 'reject', code: 403 });
    expect(viaGateway?.statusCode).toBe(200);
    expect(json(viaGateway!)).toMatchObject({ action: 'reject', code: 403 });
    expect(unauthenticated?.statusCode).toBe(401);
  });

  it('cdr: stores a relay batch from an API Gateway v2 event with only the table and relay token linked', async () => {
    // infra/cdr.ts links the table, the relay token and the (optional) Redis cache: it runs without the cache.
    const linked = ['App', settingLinks.TANDEM_TABLE_NAME.link, settingLinks.TANDEM_RELAY_TOKEN.link];
    const sst = Object.fromEntries(
      Object.entries(sstResourceEnv(links)).filter(([name]) =>
        linked.includes(name.replace('SST_RESOURCE_', '')),
      ),
    );
    const record = cdrRecord({ at: '2026-12-05T10:00:00.000Z' });
    const batch = { cdrs: [record, cdrRecord({ at: '2026-12-05T10:00:01.000Z' })] };
    const post = (headers: Record<string, string>, body: unknown = batch) =>
      apiGatewayV2Event({
        method: 'POST',
        path: '/v1/cdrs',
        headers: { ...headers, 'idempotency-key': 'relay-1:1' },
        body,
      });
    const { results } = await invokeBundle(
      lambdaBundlePath('cdr', outDir),
      [
        post(relay),
        post(relay),
        post(admin),
        post(relay, { cdrs: [{ ...record, source: { ...record.source, port: 0 } }] }),
        apiGatewayV2Event({ method: 'GET', path: '/healthz' }),
      ],
      { ...envFor('cdr', sst), TANDEM_CDR_RETENTION_DAYS: '400' },
    );
    const [stored, again, withApiKey, invalid, health] = results.map((r) => r.response);
    expect(stored?.statusCode).toBe(200);
    expect(json(stored!)).toEqual({ accepted: 2 });
    expect(again?.statusCode).toBe(200);
    expect(withApiKey?.statusCode).toBe(401);
    expect(invalid?.statusCode).toBe(400);
    expect(json(invalid!).errors.map((e: { field: string }) => e.field)).toEqual(['cdrs.0.source.port']);
    expect(health?.statusCode).toBe(200);
    // Reads stay in the API function: it finds the record the CDR function wrote, once.
    const read = await invokeBundle(
      lambdaBundlePath('api', outDir),
      [
        apiGatewayV2Event({ method: 'GET', path: `/v1/cdrs/${record.id}`, headers: admin }),
        apiGatewayV2Event({
          method: 'GET',
          path: '/v1/cdrs',
          query: { from: '2026-12-05', to: '2026-12-06' },
          headers: admin,
        }),
      ],
      envFor('api', sstResourceEnv(links)),
    );
    const [got, list] = read.results.map((r) => r.response);
    expect(got?.statusCode).toBe(200);
    // Rated by the CDR function with its own snapshot: no deck, no plan in this table.
    expect(json(got!)).toEqual({
      ...record,
      rating: expect.objectContaining({
        cost_unrated_reason: 'no_deck',
        price_unrated_reason: 'no_rate_plan',
      }),
    });
    expect(json(list!).result.map((r: { id: string }) => r.id)).toEqual(
      batch.cdrs.map((r) => r.id).reverse(),
    );
  });
});
