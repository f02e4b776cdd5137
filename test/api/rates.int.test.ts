import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CUSTOMER_ID } from '../../functions/domain';
import { createConfigReader, currentDeckVersion, keys, queryAll } from '../../functions/store';
import { apiHarness } from './api-fixture';
import { create, makeRefs, type Refs, validBody, walk } from './world';

type H = Awaited<ReturnType<typeof apiHarness>>;

describe('rates', () => {
  let h: H;
  let refs: Refs;
  const importCsv = (providerId: string, csv: string, key?: string) =>
    h.call('POST', `/v1/rates?provider_id=${providerId}`, {
      raw: csv,
      contentType: 'text/csv',
      ...(key ? { key } : {}),
    });

  beforeAll(async () => {
    h = await apiHarness();
    refs = await makeRefs(h.call);
  });

  const rest = {
    rate_plan_id: null,
    connect_fee: '0',
    first_increment_s: 60,
    next_increment_s: 60,
    minimum_s: 0,
    effective_from: null,
  };

  it('imports a deck (header, + optional, defaults, a scheduled change) and lists it with a prefix filter', async () => {
    const version = (await createConfigReader(h.store).configVersions([DEFAULT_CUSTOMER_ID]))[
      DEFAULT_CUSTOMER_ID
    ]!;
    const res = await importCsv(
      refs.providerId,
      'prefix,rate,connect_fee,first_increment_s,next_increment_s,minimum_s,effective_from\n' +
        '+82,0.02\n8210,0.012,0.01,30,6,0,2026-12-01T00:00:00Z\n+8210,0.015\n+1,0.005,,1,1\n',
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      imported: 4,
      provider_id: refs.providerId,
      rate_plan_id: null,
      deck_version: expect.any(String),
    });
    expect(
      (await createConfigReader(h.store).configVersions([DEFAULT_CUSTOMER_ID]))[DEFAULT_CUSTOMER_ID],
    ).toBe(version + 1);
    const provider_id = refs.providerId;
    expect((await h.call('GET', `/v1/rates?provider_id=${refs.providerId}`)).body).toEqual({
      result: [
        { ...rest, provider_id, prefix: '+1', rate: '0.005', first_increment_s: 1, next_increment_s: 1 },
        { ...rest, provider_id, prefix: '+82', rate: '0.02' },
        // A prefix's lines by effective_from, the one without first.
        { ...rest, provider_id, prefix: '+8210', rate: '0.015' },
        {
          ...rest,
          provider_id,
          prefix: '+8210',
          rate: '0.012',
          connect_fee: '0.01',
          first_increment_s: 30,
          next_increment_s: 6,
          effective_from: '2026-12-01T00:00:00.000Z',
        },
      ],
      next_page_token: '',
    });
    const korea = await h.call('GET', `/v1/rates?provider_id=${refs.providerId}&prefix=%2B821`);
    expect(korea.body.result.map((r: { prefix: string }) => r.prefix)).toEqual(['+8210', '+8210']);
  });

  it('one bad line: 400 with every bad line named, and nothing written', async () => {
    const provider = await create(h.call, 'providers', validBody['providers']!(refs));
    await importCsv(provider.id, '+44,0.1\n');
    const deck = await currentDeckVersion(h.store, provider.id);
    const res = await importCsv(
      provider.id,
      'prefix,rate,effective_date\n+82,0.02\n+8x,0.1\n+83,abc\n+84\n+82,0.5\n+85,0.1,2026-02-30\n+86,0.1234567\n',
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.errors).toEqual([
      { line: 3, field: 'prefix', message: expect.any(String) },
      { line: 4, field: 'rate', message: expect.any(String) },
      { line: 5, field: 'rate', message: 'is required' },
      { line: 6, field: 'prefix', message: 'repeats line 2: the same prefix with the same effective_from' },
      { line: 7, field: 'effective_from', message: expect.any(String) },
      { line: 8, field: 'rate', message: expect.stringContaining('at most 6 decimal places') },
    ]);
    expect(await currentDeckVersion(h.store, provider.id)).toBe(deck);
    expect(await createConfigReader(h.store).rateDeck(provider.id)).toEqual([
      {
        prefix: '+44',
        rate: '0.1',
        connect_fee: '0',
        first_increment_s: 60,
        next_increment_s: 60,
        minimum_s: 0,
        effective_from: null,
      },
    ]);
    expect((await importCsv(provider.id, 'prefix,rate\n')).status).toBe(400);
  });

  it('operator only; unknown provider 404; missing provider_id 400', async () => {
    const key = await h.customerKey(refs.customerId);
    expect((await importCsv(refs.providerId, '+82,1\n', key)).status).toBe(403);
    expect((await h.call('GET', `/v1/rates?provider_id=${refs.providerId}`, { key })).status).toBe(403);
    expect((await importCsv('3f1c1a7e-2a4b-4a53-9d8a-3c2b9f5e6d10', '+82,1\n')).status).toBe(404);
    expect((await h.call('GET', '/v1/rates?provider_id=3f1c1a7e-2a4b-4a53-9d8a-3c2b9f5e6d10')).status).toBe(
      404,
    );
    const missing = await h.call('POST', '/v1/rates', { raw: '+82,1\n', contentType: 'text/csv' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].field).toBe('provider_id');
    expect((await h.call('GET', '/v1/rates')).body.errors[0].field).toBe('provider_id');
  });

  it('100k lines import, read back whole, page with no duplicate or gap, and a re-import replaces the deck', async () => {
    const provider = await create(h.call, 'providers', validBody['providers']!(refs));
    const csv = Array.from({ length: 100_000 }, (_, i) => `${1_000_000 + i},${(i % 1000) / 1000}`).join('\n');
    const res = await importCsv(provider.id, csv);
    expect(res.status).toBe(200);
    expect(res.body.imported).toBe(100_000);
    const deck = await createConfigReader(h.store).rateDeck(provider.id);
    expect(deck.length).toBe(100_000);
    expect(new Set(deck.map((r) => r.prefix)).size).toBe(100_000);
    expect(deck.find((r) => r.prefix === '+1012345')).toMatchObject({ prefix: '+1012345', rate: '0.345' });

    // A prefix run across chunk boundaries, walked in odd-sized pages.
    const run = await walk(h.call, `/v1/rates?provider_id=${provider.id}&prefix=%2B103`, 97);
    expect(run.map((r) => r.prefix)).toEqual(Array.from({ length: 10_000 }, (_, i) => `+${1_030_000 + i}`));
    const firstDeck = res.body.deck_version;
    const again = await importCsv(provider.id, '+1,0.5\n');
    expect(again.body.deck_version).not.toBe(firstDeck);
    expect(await createConfigReader(h.store).rateDeck(provider.id)).toMatchObject([
      { prefix: '+1', rate: '0.5' },
    ]);
  }, 60_000);

  it('deleting the provider drops its deck', async () => {
    const provider = await create(h.call, 'providers', validBody['providers']!(refs));
    const { deck_version } = (await importCsv(provider.id, '+82,0.1\n')).body;
    const deckItems = () => queryAll(h.store, { partition: keys.rateDeck(provider.id, deck_version) });
    expect((await deckItems()).length).toBe(1);
    expect((await h.call('DELETE', `/v1/providers/${provider.id}`)).status).toBe(200);
    expect(await deckItems()).toEqual([]);
  });
});
