import { describe, expect, it } from 'vitest';
import type { DecideResponse } from '../contract';
import { DEFAULT_FAILOVER_CODES } from '../engine/egress';
import { serializeDecision } from './serialize-decision';

const target = {
  kind: 'provider' as const,
  id: '00000000-0000-4000-8000-000000000001',
  route_id: null,
  uri: 'sip:+1@h',
  transport: 'udp' as const,
  callee: '+1',
  caller: '+2',
  headers: { 'X-A': 'b' },
  timers: { provisional_ms: 1, final_ms: 2 },
  media_anchor: false,
  credentials: null,
  failover_codes: DEFAULT_FAILOVER_CODES as number[],
  reason: 'r',
};

describe('serializeDecision', () => {
  it.each<[string, DecideResponse]>([
    [
      'route with shared and own failover codes',
      {
        action: 'route',
        call: {
          customer_id: target.id,
          direction: 'outbound',
          source_kind: 'ipbx',
          source_id: target.id,
          caller: '+2',
          callee: '+1',
        },
        targets: [target, { ...target, failover_codes: [486] }, target],
      },
    ],
    ['reject', { action: 'reject', code: 404, reason: 'no_route' }],
    [
      'challenge',
      { action: 'challenge', realm: 'r', nonce: 'n', algorithms: ['SHA-256', 'MD5'], stale: false },
    ],
  ])('is exactly JSON.stringify: %s', (_n, response) => {
    expect(serializeDecision(response)).toBe(JSON.stringify(response));
  });
});
