import { describe, expect, it } from 'vitest';
import { createCounter, createHistogram, gauge } from './metric-types';
import { renderPrometheus } from './prometheus-text';

describe('Prometheus text', () => {
  it('renders counters by label set, escaping label values', () => {
    const calls = createCounter('calls_total', 'Calls.\nBy code.');
    calls.inc({ code: '200' });
    calls.inc({ code: '200' });
    calls.inc({ code: '503', provider: 'a"b\\c\nd' });
    expect(renderPrometheus([calls.family(), gauge('up', 'Up.', 1)])).toBe(
      [
        '# HELP calls_total Calls.\\nBy code.',
        '# TYPE calls_total counter',
        'calls_total{code="200"} 2',
        'calls_total{code="503",provider="a\\"b\\\\c\\nd"} 1',
        '# HELP up Up.',
        '# TYPE up gauge',
        'up 1',
        '',
      ].join('\n'),
    );
  });

  it('renders a histogram with cumulative buckets, +Inf, sum and count', () => {
    const h = createHistogram('pdd_seconds', 'PDD.', [0.5, 1]);
    for (const v of [0.2, 0.5, 0.7, 3]) h.observe(v);
    expect(renderPrometheus([h.family()]).split('\n').slice(2, -1)).toEqual([
      'pdd_seconds_bucket{le="0.5"} 2',
      'pdd_seconds_bucket{le="1"} 3',
      'pdd_seconds_bucket{le="+Inf"} 4',
      'pdd_seconds_sum 4.4',
      'pdd_seconds_count 4',
    ]);
  });

  it('writes infinities and NaN as Prometheus spells them', () => {
    const text = renderPrometheus([
      {
        name: 'x',
        help: 'X.',
        type: 'gauge',
        samples: [{ value: Number.POSITIVE_INFINITY }, { value: Number.NaN }],
      },
    ]);
    expect(text).toContain('x +Inf\nx NaN\n');
  });
});
