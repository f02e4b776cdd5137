/**
 * One sample of the relay's Prometheus exposition (`series` with its labels as printed), 0 when
 * the series does not exist yet.
 *
 * @example
 * expect(await metricSample(relay.httpPort, 'tandem_relay_calls_total{code="200"}')).toBe(1);
 */
export async function metricSample(httpPort: number | undefined, series: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
