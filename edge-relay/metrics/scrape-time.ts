import { Counter, Gauge, type Metric, type Registry } from 'prom-client';

/** Series of a family read at scrape time: the labels (in the order they are printed) and the value. */
export type ScrapeSample<L extends string> = { labels?: Partial<Record<L, string>>; value: number };

/**
 * A gauge whose series are read from the relay's state when Prometheus scrapes (prom-client
 * calls `read` from its collect hook), so nothing is updated on the call path. Series that no
 * longer exist (a provider removed) leave with the next scrape.
 *
 * @example
 * scrapeGauge(registry, 'tandem_relay_dialogs', 'Answered calls held.', [], () => [{ value: held.count() }]);
 */
export function scrapeGauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () => ScrapeSample<L>[],
): Gauge<L> {
  return new Gauge<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect: copyAtScrape(read, (gauge: Gauge<L>, labels, value) => gauge.set(labels, value)),
  });
}

/**
 * A counter whose running totals another part of the relay keeps (the CDR sink, the process's
 * CPU time): copied in at scrape time, never incremented here.
 *
 * @example
 * scrapeCounter(registry, 'tandem_cdr_spooled_total', 'CDRs spooled.', [], () => [{ value: sink.spooled }]);
 */
export function scrapeCounter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () => ScrapeSample<L>[],
): Counter<L> {
  return new Counter<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect: copyAtScrape(read, (counter: Counter<L>, labels, value) => counter.inc(labels, value)),
  });
}

/** The collect hook both share: the family emptied, then every series `read` returns put in. */
function copyAtScrape<L extends string, M extends { reset(): void }>(
  read: () => ScrapeSample<L>[],
  put: (metric: M, labels: Partial<Record<L, string>>, value: number) => void,
): (this: M) => void {
  return function (this: M) {
    this.reset();
    for (const s of read()) put(this, s.labels ?? {}, s.value);
  };
}

/**
 * A summary whose quantiles another part of Node computes (the event loop's delay histogram):
 * prom-client's own Summary keeps samples to compute them, so this family is a collector of
 * its own, printed with `# TYPE … summary` like any.
 *
 * @example
 * scrapeSummary(registry, 'tandem_relay_event_loop_delay_seconds', 'Loop delay.', () => [{ labels: { quantile: '0.99' }, value: 0.002 }]);
 */
export function scrapeSummary(
  registry: Registry,
  name: string,
  help: string,
  read: () => ScrapeSample<'quantile'>[],
): void {
  const family = {
    name,
    help,
    type: 'summary',
    aggregator: 'sum',
    get: async () => ({ name, help, type: 'summary', aggregator: 'sum', values: read() }),
    reset: () => {},
  };
  // The registry reads any object with `name` and `get()`; its types list only the built-in classes.
  registry.registerMetric(family as unknown as Metric);
}
