import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decideResponse } from '../../contract/decide';
import { createApp } from '../../functions/api';
import { ADMIN_KEY, apiHarness, type Json } from './api-fixture';
import { freshStore } from './store-fixture';
import { create, makeRefs, type Refs, validBody } from './world';

type H = Awaited<ReturnType<typeof apiHarness>>;
type Operation = { method: string; path: string; query: string[]; body: 'json' | 'csv' | null };

/** Seeded and bounded: the same requests on every run, a few hundred per property. */
const RUN = { seed: 2026, numRuns: 400, endOnFailure: true } as const;

/**
 * Property-based fuzz of the configuration API: every operation of its own
 * OpenAPI document, with generated valid, mutated and junk bodies, query
 * strings and path ids, under the operator's key, customer A's key, no key and
 * a wrong key. Whatever comes in: no 5xx, every 4xx a problem+json that names
 * the cause, and nothing of customer B ever in an answer to A's key.
 */
describe('fuzz: every endpoint of the OpenAPI document', () => {
  let h: H;
  let operations: Operation[];
  let keyA: string;
  let a: Refs;
  /** Ids of customer B's objects, which A must never see. */
  const secretsOfB: string[] = [];
  const idsByResource = new Map<string, string[]>();

  beforeAll(async () => {
    // Configured as deployed: decide answers the relay token (and refuses API keys).
    h = await apiHarness({
      decision: { relayToken: 'tdm_relay_fuzz_0123456789', nonceSecret: 'fuzz-nonce-0123456789' },
    });
    a = await makeRefs(h.call);
    const b = await makeRefs(h.call, a.providerId);
    keyA = await h.customerKey(a.customerId);
    const keyB = await h.call('POST', '/v1/api-keys', { body: { customer_id: b.customerId, name: 'b' } });
    const bObjects: [string, Json][] = [
      ['customers', { id: b.customerId }],
      ['ipbxs', { id: b.ipbxId }],
      ['normalization-profiles', { id: b.profileId }],
      ['dids', await create(h.call, 'dids', validBody['dids']!(b))],
      ['domains', await create(h.call, 'domains', validBody['domains']!(b))],
      ['routes', await create(h.call, 'routes', validBody['routes']!(b))],
      ['api-keys', keyB.body],
    ];
    for (const [resource, object] of bObjects) {
      secretsOfB.push(object.id);
      idsByResource.set(resource, [object.id]);
    }
    // A's own objects of each kind, so generated ids hit A's objects as well as B's.
    idsByResource.get('ipbxs')!.push(a.ipbxId);
    idsByResource.get('customers')!.push(a.customerId);
    idsByResource.set('providers', [a.providerId]);
    const document = (await h.call('GET', '/v1/openapi.json')).body;
    operations = Object.entries(document.paths as Record<string, Record<string, Json>>).flatMap(
      ([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({
          method: method.toUpperCase(),
          path,
          query: ((op.parameters ?? []) as Json[]).filter((p) => p.in === 'query').map((p) => p.name),
          body: op.requestBody?.content?.['text/csv']
            ? 'csv'
            : op.requestBody?.content?.['application/json']
              ? 'json'
              : null,
        })),
    );
  });

  it('reads an operation for every resource from the document', () => {
    const paths = new Set(operations.map((o) => o.path));
    for (const resource of [
      'customers',
      'providers',
      'ipbxs',
      'dids',
      'domains',
      'routes',
      'api-keys',
      'rates',
    ]) {
      expect(
        [...paths].some((p) => p.startsWith(`/v1/${resource}`)),
        resource,
      ).toBe(true);
    }
    expect(operations.length).toBeGreaterThan(25);
  });

  it('answers every generated request without a 5xx, with a problem naming the cause, leaking nothing', async () => {
    const resourceOf = (path: string) => path.split('/')[2] ?? '';
    const idFor = (path: string) =>
      fc.oneof(
        fc.constantFrom(...(idsByResource.get(resourceOf(path)) ?? [randomUUID()])),
        fc.constant(randomUUID()),
        fc.string({ maxLength: 40 }),
        fc.constant('00000000-0000-0000-0000-000000000001'),
      );
    const mutatedBody = (path: string) => {
      const make = validBody[resourceOf(path)];
      if (!make) return fc.jsonValue();
      const base = make(a);
      const keys = Object.keys(base);
      return fc
        .record({ key: fc.constantFrom(...keys, 'unknown_field'), value: fc.jsonValue() })
        .map(({ key, value }) => ({ ...base, [key]: value }));
    };
    const request = fc.integer({ min: 0, max: operations.length - 1 }).chain((i) => {
      const op = operations[i]!;
      const queryValue = fc.oneof(fc.string({ maxLength: 30 }), fc.constant(a.customerId), fc.constant('5'));
      return fc.record({
        op: fc.constant(op),
        id: idFor(op.path),
        query: fc.dictionary(fc.constantFrom(...op.query, 'junk'), queryValue, { maxKeys: 3 }),
        body:
          op.body === 'json'
            ? fc.oneof(mutatedBody(op.path), fc.jsonValue({ maxDepth: 4 }))
            : op.body === 'csv'
              ? fc
                  .array(fc.string({ maxLength: 30 }), { maxLength: 5 })
                  .map((l) => `prefix,rate\n${l.join('\n')}`)
              : fc.constant(undefined),
        key: fc.constantFrom<'admin' | 'a' | 'none' | 'wrong'>('admin', 'a', 'a', 'none', 'wrong'),
      });
    });

    await fc.assert(
      fc.asyncProperty(request, async ({ op, id, query, body, key }) => {
        const path = op.path.replace(/\{[^}]+\}/g, encodeURIComponent(id));
        const search = new URLSearchParams(query).toString();
        const res = await h.call(op.method, `${path}${search ? `?${search}` : ''}`, {
          key: { admin: ADMIN_KEY, a: keyA, none: null, wrong: 'tdm_nobody_0123456789abcdef' }[key],
          ...(typeof body === 'string' ? { raw: body, contentType: 'text/csv' } : {}),
          ...(body !== undefined && typeof body !== 'string' ? { raw: JSON.stringify(body) } : {}),
        });
        const what = `${op.method} ${path}?${search} key=${key} → ${res.status} ${JSON.stringify(res.body)}`;
        expect(res.status, what).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.headers.get('content-type'), what).toBe('application/problem+json');
          expect(res.body.status, what).toBe(res.status);
          expect(res.body.detail, what).toMatch(/\S/);
          if (res.status === 400) expect(res.body.errors?.length, what).toBeGreaterThan(0);
        }
        if (key === 'a') {
          // An id A sent (a 404 may repeat it) tells A nothing; any other id of B's is a leak.
          const sent = `${path}?${search} ${typeof body === 'string' ? body : JSON.stringify(body)}`;
          const text = JSON.stringify(res.body);
          for (const secret of secretsOfB.filter((id) => !sent.includes(id))) {
            expect(text.includes(secret), `${what} leaks ${secret}`).toBe(false);
          }
        }
      }),
      RUN,
    );
  });
});

describe('fuzz: the decide endpoint', () => {
  const RELAY = 'tdm_relay_fuzz_0123456789';
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    const store = await freshStore();
    app = createApp({
      store,
      adminKey: ADMIN_KEY,
      decision: { relayToken: RELAY, nonceSecret: 'fuzz-nonce-0123456789' },
    });
  });

  it('answers any call input with a decision that fits the contract, or a 4xx problem', async () => {
    const text = fc.string({ maxLength: 80 });
    const sipish = fc.oneof(
      text,
      fc
        .tuple(
          fc.constantFrom('sip:', 'sips:', 'tel:', '<sip:', ''),
          text,
          fc.constantFrom('@relay.example', '', ';user=phone'),
        )
        .map((p) => p.join('')),
    );
    const call = fc.record(
      {
        call_id: text,
        source: fc.record({
          ip: fc.oneof(fc.ipV4(), fc.ipV6(), text),
          port: fc.oneof(fc.integer({ min: -1, max: 70_000 }), fc.constant(5060)),
          transport: fc.constantFrom('udp', 'tcp', 'tls', 'sctp'),
        }),
        request_uri: sipish,
        from: sipish,
        to: sipish,
        p_asserted_identity: sipish,
        authorization: fc.oneof(
          text,
          text.map((t) => `Digest username="${t}", realm="x", nonce="${t}", response="0"`),
        ),
        method: fc.constantFrom('INVITE', 'BYE', ''),
        privacy: fc.constantFrom('id', 'none', ''),
      },
      { requiredKeys: ['call_id', 'source', 'request_uri', 'from', 'to'] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(call, fc.jsonValue({ maxDepth: 3 })), async (body) => {
        const res = await app.request('/v1/routing/decide', {
          method: 'POST',
          headers: { authorization: `Bearer ${RELAY}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const answer = (await res.json()) as Json;
        const what = `${JSON.stringify(body)} → ${res.status} ${JSON.stringify(answer)}`;
        expect(res.status, what).toBeLessThan(500);
        if (res.status === 200) expect(decideResponse.safeParse(answer).success, what).toBe(true);
        else expect(answer.status, what).toBe(res.status);
      }),
      RUN,
    );
  });
});
