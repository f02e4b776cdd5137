import type { MetricFamily, MetricSample } from './prometheus-text';

/**
 * A counter with labels. Label sets are few by construction (SIP codes, causes, provider ids
 * of the configuration): never put a Call-ID or an address in a label.
 *
 * @example
 * const calls = createCounter('tandem_relay_calls_total', 'Calls by final status.');
 * calls.inc({ code: '200' });
 */
export function createCounter(name: string, help: string) {
  const series = new Map<string, MetricSample>();
  return {
    inc(labels: Record<string, string>, by = 1): void {
      const key = JSON.stringify(labels);
      const sample = series.get(key);
      if (sample) sample.value += by;
      else series.set(key, { labels, value: by });
    },
    family(): MetricFamily {
      return { name, help, type: 'counter', samples: [...series.values()].map((s) => ({ ...s })) };
    },
  };
}

/**
 * A histogram with fixed upper bounds (seconds).
 *
 * @example
 * const pdd = createHistogram('tandem_relay_post_dial_delay_seconds', 'Post-dial delay.', [0.5, 1, 2]);
 * pdd.observe(0.8);
 */
export function createHistogram(name: string, help: string, bounds: readonly number[]) {
  const counts = bounds.map(() => 0);
  let sum = 0;
  let count = 0;
  return {
    observe(value: number): void {
      for (const [i, bound] of bounds.entries()) if (value <= bound) counts[i]! += 1;
      sum += value;
      count += 1;
    },
    family(): MetricFamily {
      return {
        name,
        help,
        type: 'histogram',
        samples: [
          ...bounds.map((bound, i) => ({
            suffix: '_bucket',
            labels: { le: String(bound) },
            value: counts[i]!,
          })),
          { suffix: '_bucket', labels: { le: '+Inf' }, value: count },
          { suffix: '_sum', value: sum },
          { suffix: '_count', value: count },
        ],
      };
    },
  };
}

export const gauge = (name: string, help: string, value: number): MetricFamily => ({
  name,
  help,
  type: 'gauge',
  samples: [{ value }],
});
