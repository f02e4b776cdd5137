import type { Figure } from './figures';

/** CloudWatch units the figures use. */
export type EmfUnit = 'Count' | 'Milliseconds' | 'Seconds';

/** The CloudWatch namespace of every Tandem metric. */
export const EMF_NAMESPACE = 'Tandem';

type Group = {
  dimensions: Record<string, string>;
  metrics: Map<string, { unit: EmfUnit; values: number[] }>;
};

/** One figure as CloudWatch metrics: its dimensions (beside `Function`) and its named values. */
function asMetrics(f: Figure): {
  dimensions: Record<string, string>;
  values: [string, EmfUnit, number][];
} {
  switch (f.kind) {
    case 'request':
      return {
        dimensions: { Route: `${f.method} ${f.route}`, Status: String(f.status) },
        values: [
          ['Requests', 'Count', 1],
          ['RequestDuration', 'Milliseconds', f.seconds * 1000],
        ],
      };
    case 'decision':
      return {
        dimensions: { Action: f.action, Reason: f.reason },
        values: [
          ['Decisions', 'Count', 1],
          ['DecideDuration', 'Milliseconds', f.seconds * 1000],
        ],
      };
    case 'snapshot_compile':
      return {
        dimensions: { Kind: f.type },
        values: [['SnapshotCompileTime', 'Milliseconds', f.seconds * 1000]],
      };
    case 'snapshot_lookup':
      return { dimensions: { Result: f.result }, values: [['SnapshotLookups', 'Count', 1]] };
    case 'cache_error':
      return { dimensions: { Kind: f.type }, values: [['CacheErrors', 'Count', 1]] };
  }
}

/**
 * The figures of one invocation as CloudWatch embedded-metric-format log lines (one JSON line per
 * set of dimension values: counts summed, durations kept as a value list), plus the snapshot age
 * when the decision knows it. Pure: the Lambda wrapper writes the lines (lambda-emf.ts).
 *
 * @example
 * emfLines('api', [{ kind: 'request', method: 'GET', route: '/healthz', status: 200, seconds: 0.002 }], 1767225600000);
 * // ['{"_aws":{"Timestamp":1767225600000,"CloudWatchMetrics":[{"Namespace":"Tandem","Dimensions":[["Function","Route","Status"]],"Metrics":[{"Name":"Requests","Unit":"Count"},…]}]},"Function":"api","Route":"GET /healthz","Status":"200","Requests":1,"RequestDuration":2}']
 */
export function emfLines(
  fn: string,
  figures: readonly Figure[],
  timestamp: number,
  snapshotAgeS?: number,
): string[] {
  const groups = new Map<string, Group>();
  const add = (dimensions: Record<string, string>, name: string, unit: EmfUnit, value: number) => {
    const key = JSON.stringify(dimensions);
    let group = groups.get(key);
    if (!group) {
      group = { dimensions, metrics: new Map() };
      groups.set(key, group);
    }
    const metric = group.metrics.get(name);
    if (!metric) group.metrics.set(name, { unit, values: [value] });
    else if (unit === 'Count') metric.values[0]! += value;
    // CloudWatch takes at most 100 values of one metric in one line.
    else if (metric.values.length < 100) metric.values.push(value);
  };
  for (const figure of figures) {
    const { dimensions, values } = asMetrics(figure);
    for (const [name, unit, value] of values) add(dimensions, name, unit, value);
  }
  if (snapshotAgeS !== undefined) add({}, 'SnapshotAge', 'Seconds', snapshotAgeS);
  return [...groups.values()].map(({ dimensions, metrics }) => {
    const line: Record<string, unknown> = {
      _aws: {
        Timestamp: timestamp,
        CloudWatchMetrics: [
          {
            Namespace: EMF_NAMESPACE,
            Dimensions: [['Function', ...Object.keys(dimensions)]],
            Metrics: [...metrics].map(([name, { unit }]) => ({ Name: name, Unit: unit })),
          },
        ],
      },
      Function: fn,
      ...dimensions,
    };
    for (const [name, { values }] of metrics) line[name] = values.length === 1 ? values[0] : values;
    return JSON.stringify(line);
  });
}
