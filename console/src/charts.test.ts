import { describe, expect, it } from 'vitest';
import { barChart, lineChart, niceMax, routeTiers, timeline } from './charts';

describe('niceMax', () => {
  it('rounds up to 1, 2 or 5 × 10ⁿ', () => {
    expect([0, 0.3, 1, 3, 7, 12, 250].map(niceMax)).toEqual([1, 0.5, 1, 5, 10, 20, 500]);
  });
});

describe('lineChart', () => {
  it('spreads the values over the width and scales them to the axis maximum', () => {
    const chart = lineChart([0, 5, 10], 100, 50);
    expect(chart.max).toBe(10);
    expect(chart.points).toEqual([
      { x: 0, y: 50 },
      { x: 50, y: 25 },
      { x: 100, y: 0 },
    ]);
    expect(chart.d).toBe('M0 50 L50 25 L100 0');
  });
});

describe('barChart', () => {
  it('gives the largest value the full width', () => {
    expect(
      barChart(
        [
          { label: 'a', value: 4 },
          { label: 'b', value: 1 },
        ],
        200,
      ).map((b) => b.width),
    ).toEqual([200, 50]);
  });
});

describe('timeline', () => {
  it('places each attempt and the call’s answer and end on one axis from the INVITE', () => {
    const t = timeline(
      {
        tm_invite: '2026-12-05T10:00:00.000Z',
        tm_ringing: '2026-12-05T10:00:01.500Z',
        tm_answer: '2026-12-05T10:00:02.000Z',
        tm_end: '2026-12-05T10:00:10.000Z',
        attempts: [
          {
            tm_start: '2026-12-05T10:00:00.000Z',
            tm_provisional: null,
            tm_end: '2026-12-05T10:00:01.000Z',
            code: 503,
            target_id: 'a',
          },
          {
            tm_start: '2026-12-05T10:00:01.000Z',
            tm_provisional: '2026-12-05T10:00:01.500Z',
            tm_end: '2026-12-05T10:00:02.000Z',
            code: 200,
            target_id: 'b',
          },
        ],
      },
      1000,
    );
    expect(t.totalMs).toBe(10_000);
    expect(t.bars).toEqual([
      { x: 0, width: 100, provisionalX: null, code: 503, target_id: 'a' },
      { x: 100, width: 100, provisionalX: 150, code: 200, target_id: 'b' },
    ]);
    expect(t.markers).toEqual([
      { label: 'ringing', x: 150 },
      { label: 'answer', x: 200 },
      { label: 'end', x: 1000 },
    ]);
  });
});

describe('routeTiers', () => {
  const route = (id: string, target: string, priority: number, weight = 100) => ({
    id,
    target,
    priority,
    weight,
    enabled: true,
  });

  it('orders tiers longest prefix first and all last, routes by priority then weight, and marks the number’s tiers', () => {
    const tiers = routeTiers(
      [
        route('r1', 'all', 1),
        route('r2', '+82', 2),
        route('r3', '+8210', 1),
        route('r4', '+82', 1, 10),
        route('r5', '+82', 1, 50),
        route('r6', '+44', 1),
      ],
      '+821012345678',
    );
    expect(tiers.map((t) => [t.target, t.matches, t.routes.map((r) => r.id)])).toEqual([
      ['+8210', true, ['r3']],
      ['+44', false, ['r6']],
      ['+82', true, ['r5', 'r4', 'r2']],
      ['all', true, ['r1']],
    ]);
  });
});
