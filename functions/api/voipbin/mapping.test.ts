import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routeInput } from '../../domain/route';
import { HttpError } from '../../store/errors';
import {
  END_OF_LIST,
  healthOf,
  inVoipbinTerms,
  NOT_YET,
  nextPageToken,
  parseCodecs,
  providerFromVoipbin,
  providerToVoipbin,
  routeFromVoipbin,
  routeOwner,
  routeToVoipbin,
  UNNAMED_ROUTE,
  voipbinTime,
} from './mapping';
import { voipbinProvider, voipbinProviderWrite, voipbinRoute, voipbinRouteCreate } from './schemas';

const fixture = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../../test/fixtures/voipbin/routes-examples.json'), 'utf8'),
);
const PROVIDER = '4dbeabd6-f397-4375-95d2-a38411e07ed1';
const CUSTOMER = '7c4d2f3a-1b8e-4f5c-9a6d-3e2f1a0b4c5d';

const storedRoute = {
  id: 'b972b61c-59d2-4217-8fbb-a32304be5c3b',
  customer_id: CUSTOMER,
  name: 'route',
  detail: '',
  provider_id: PROVIDER,
  priority: 1,
  target: '+82',
  enabled: true,
  weight: 100,
  lcr: false,
  exclude_negative_margin: false,
  time_windows: [],
  failover_codes: null,
  tm_create: '2026-01-15T09:30:00.123Z',
  tm_update: null,
  tm_delete: null,
};

const storedProvider = {
  id: PROVIDER,
  type: 'sip',
  hostname: 'sip.telnyx.com',
  port: 5060,
  transport: 'udp',
  tech_prefix: '',
  tech_postfix: '',
  tech_headers: { 'X-Account': '1' },
  name: 'telnyx basic',
  detail: 'telnyx basic',
  media_anchor: false,
  codecs: { allow: [], transcode: ['G722'] },
  tm_create: '2026-01-15T09:30:00.000Z',
  tm_update: '2026-01-16T14:20:00.5Z',
  tm_delete: null,
};

describe('times', () => {
  it('are VoIPBIN’s ISO 8601 with microseconds, and its far-future time for "not yet"', () => {
    expect(voipbinTime('2026-01-15T09:30:00.123Z')).toBe('2026-01-15T09:30:00.123000Z');
    expect(voipbinTime('2026-01-15T09:30:00Z')).toBe('2026-01-15T09:30:00.000000Z');
    expect(voipbinTime(null)).toBe(NOT_YET);
    expect(NOT_YET).toBe('9999-01-01T00:00:00.000000Z');
    expect(Date.parse(voipbinTime('2026-01-15T09:30:00.123Z'))).toBe(Date.parse('2026-01-15T09:30:00.123Z'));
  });
});

describe('routes', () => {
  it('a stored route reads as exactly VoIPBIN’s route (its fields, its types)', () => {
    const view = routeToVoipbin(storedRoute);
    expect(Object.keys(view).sort()).toEqual(Object.keys(fixture.routes.struct).sort());
    expect(voipbinRoute.parse(view)).toEqual(view);
    expect(view).toMatchObject({
      name: '',
      priority: 1,
      target: '+82',
      tm_update: NOT_YET,
      tm_delete: NOT_YET,
    });
  });

  it('the unnamed route: VoIPBIN’s "" is stored as Tandem’s default name and read back as ""', () => {
    expect(routeInput.parse({ customer_id: CUSTOMER, provider_id: PROVIDER, target: 'all' }).name).toBe(
      UNNAMED_ROUTE,
    );
    const body = voipbinRouteCreate.parse({ name: '', provider_id: PROVIDER, priority: 1, detail: '' });
    const tandem = routeFromVoipbin(body, CUSTOMER);
    expect(tandem).toEqual({
      customer_id: CUSTOMER,
      name: UNNAMED_ROUTE,
      detail: '',
      provider_id: PROVIDER,
      priority: 1,
      target: 'all',
    });
    expect(routeInput.safeParse(tandem).success).toBe(true);
    expect(routeToVoipbin({ ...storedRoute, ...tandem }).name).toBe('');
    expect(routeToVoipbin({ ...storedRoute, name: 'Default route' }).name).toBe('Default route');
  });

  it('the documented create body maps onto a valid Tandem route with the same values', () => {
    const example = fixture.routes.examples.find((e: { name: string }) => e.name === 'Create a new route');
    const body = voipbinRouteCreate.parse(example.request.body);
    const tandem = routeInput.parse(
      routeFromVoipbin(body, routeOwner(body.customer_id, { kind: 'operator' })),
    );
    expect(tandem).toMatchObject({
      customer_id: example.request.body.customer_id,
      provider_id: PROVIDER,
      priority: 1,
      target: '+82',
      enabled: true,
    });
  });

  it('the owner: the one named, else the customer key’s own; the operator must name one', () => {
    const key = { kind: 'customer' as const, customerId: CUSTOMER, keyId: 'k' };
    expect(routeOwner(undefined, key)).toBe(CUSTOMER);
    expect(routeOwner(PROVIDER, key)).toBe(PROVIDER);
    const error = (() => {
      try {
        routeOwner(undefined, { kind: 'operator' });
      } catch (e) {
        return e as HttpError;
      }
    })();
    expect(error?.status).toBe(400);
    expect(error?.errors?.[0]?.field).toBe('customer_id');
  });

  it('a PUT without customer_id leaves the owner out (the stored one stays)', () => {
    const body = voipbinRouteCreate.parse({ provider_id: PROVIDER, priority: 2, target: '+82' });
    expect(routeFromVoipbin(body, undefined)).not.toHaveProperty('customer_id');
  });
});

describe('providers', () => {
  it('a stored provider reads as exactly VoIPBIN’s provider', () => {
    const view = providerToVoipbin(storedProvider);
    expect(Object.keys(view).sort()).toEqual(Object.keys(fixture.providers.struct).sort());
    expect(voipbinProvider.parse(view)).toEqual(view);
    expect(view).toMatchObject({
      metadata: {},
      codecs: '',
      health_status: 'unknown',
      health_checked_at: null,
      tm_update: '2026-01-16T14:20:00.500000Z',
      tech_headers: { 'X-Account': '1' },
    });
    expect(
      providerToVoipbin({ ...storedProvider, codecs: { allow: ['PCMU', 'PCMA'], transcode: [] } }).codecs,
    ).toBe('PCMU,PCMA');
  });

  it('the documented create body maps field by field; no codecs is no restriction', () => {
    const example = fixture.providers.examples.find(
      (e: { name: string }) => e.name === 'Create a new provider',
    );
    expect(providerFromVoipbin(voipbinProviderWrite.parse(example.request.body), undefined)).toEqual({
      ...example.request.body,
      codecs: { allow: [], transcode: [] },
    });
  });

  it('a codec restriction is refused naming codecs unless the provider’s media is anchored', () => {
    const body = voipbinProviderWrite.parse({ hostname: 'sip.example.com', name: 'x', codecs: 'PCMU, PCMA' });
    const refusal = (() => {
      try {
        providerFromVoipbin(body, undefined);
      } catch (e) {
        return e as HttpError;
      }
    })();
    expect(refusal?.status).toBe(400);
    expect(refusal?.errors?.map((e) => e.field)).toEqual(['codecs']);
    expect(() => providerFromVoipbin(body, storedProvider)).toThrow(HttpError);
    // Anchored: the list becomes codecs.allow; the stored transcode list stays.
    expect(providerFromVoipbin(body, { ...storedProvider, media_anchor: true })['codecs']).toEqual({
      allow: ['PCMU', 'PCMA'],
      transcode: ['G722'],
    });
    expect(parseCodecs(' , ')).toEqual([]);
  });

  it('Tandem’s codecs.allow errors are named as VoIPBIN’s codecs', () => {
    const tandem = new HttpError(400, 'Bad Request', 'the provider is invalid', [
      { field: 'codecs.allow.1', message: 'must be a codec name as written in SDP rtpmap' },
      { field: 'hostname', message: 'must be a hostname or an IP address' },
    ]);
    const renamed = (() => {
      try {
        inVoipbinTerms(tandem);
      } catch (e) {
        return e as HttpError;
      }
    })();
    expect(renamed?.errors?.map((e) => e.field)).toEqual(['codecs', 'hostname']);
  });

  it('health: down at a fresh site is unhealthy, up is healthy, nothing fresh is unknown', () => {
    const probe = (at: string) => ({ at });
    expect(healthOf([])).toEqual({ health_status: 'unknown', health_checked_at: null });
    expect(
      healthOf([
        { state: 'up', stale: false, last_probe: probe('2026-04-20T03:15:00.000Z') },
        { state: 'down', stale: false, last_probe: probe('2026-04-20T03:15:05.000Z') },
      ]),
    ).toEqual({ health_status: 'unhealthy', health_checked_at: '2026-04-20T03:15:05.000000Z' });
    expect(healthOf([{ state: 'up', stale: false, last_probe: null }])).toEqual({
      health_status: 'healthy',
      health_checked_at: null,
    });
    expect(healthOf([{ state: 'down', stale: true, last_probe: probe('2026-04-20T03:15:00.000Z') }])).toEqual(
      {
        health_status: 'unknown',
        health_checked_at: null,
      },
    );
  });
});

describe('pages', () => {
  it('after the last non-empty page comes one empty page, then an empty token', () => {
    expect(nextPageToken(3, 'eyJQSyI6')).toBe('eyJQSyI6');
    expect(nextPageToken(3, '')).toBe(END_OF_LIST);
    expect(nextPageToken(0, '')).toBe('');
  });
});
