/** One metric family in the Prometheus text exposition format (version 0.0.4). */
export type MetricFamily = {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
  samples: MetricSample[];
};

/** `suffix` names the series of a histogram or summary (`_bucket`, `_sum`, `_count`). */
export type MetricSample = { labels?: Record<string, string>; value: number; suffix?: string };

const escapeLabel = (value: string) =>
  value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
const escapeHelp = (value: string) => value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/**
 * Renders metric families as Prometheus scrapes them (`text/plain; version=0.0.4`).
 *
 * @example
 * renderPrometheus([{ name: 'tandem_relay_up', help: 'Always 1.', type: 'gauge', samples: [{ value: 1 }] }]);
 * // '# HELP tandem_relay_up Always 1.\n# TYPE tandem_relay_up gauge\ntandem_relay_up 1\n'
 */
export function renderPrometheus(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels ?? {})
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      lines.push(
        `${family.name}${sample.suffix ?? ''}${labels ? `{${labels}}` : ''} ${formatValue(sample.value)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
