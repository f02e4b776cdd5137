import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sampleCdrHealth } from '../../edge-relay/cdr/cdr-test-kit.fixture';
import { createRelayEvents } from '../../edge-relay/events';
import { createHealthMetrics } from '../../edge-relay/health/health-metrics';
import { createRelayMetrics } from '../../edge-relay/metrics/relay-metrics';
import { functionsRegistry } from '../../functions/metrics/registry';

/** Series Prometheus makes itself (not exported by any registry). */
const PROMETHEUS_OWN = new Set(['up']);

/** Every metric name the relay's and the functions' registries export, read from the registries. */
function exportedNames(): { names: Set<string>; histograms: Set<string> } {
  const relay = createRelayMetrics(createRelayEvents());
  relay.watchCdr(() => sampleCdrHealth);
  const health = createHealthMetrics(() => ({ providers: [], down: new Set(), leader: false }));
  try {
    const metrics = [relay.registry, health.registry, functionsRegistry].flatMap((r) =>
      r.getMetricsAsArray(),
    );
    return {
      names: new Set(metrics.map((m) => m.name)),
      histograms: new Set(metrics.filter((m) => String(m.type) === 'histogram').map((m) => m.name)),
    };
  } finally {
    relay.close();
  }
}

/** The metric names a PromQL expression reads: identifiers outside braces that are no function or keyword. */
function metricNames(expr: string): string[] {
  const withoutLabels = expr.replace(/\{[^}]*\}/g, '').replace(/\[[^\]]*\]/g, '');
  const withoutGrouping = withoutLabels.replace(
    /\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g,
    '',
  );
  // Whole identifiers; those followed by `(` are functions (rate, sum, histogram_quantile).
  const tokens = [...withoutGrouping.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    .filter((m) => !/^\s*\(/.test(withoutGrouping.slice(m.index + m[0].length)))
    .map((m) => m[0]);
  const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'Inf', 'NaN']);
  return tokens.filter((t) => !keywords.has(t) && !/^\d/.test(t));
}

const dashboard = JSON.parse(readFileSync('infra/observability/grafana-dashboard.json', 'utf8')) as {
  panels: { title: string; type: string; targets?: { expr: string }[] }[];
};
const alerts = parse(readFileSync('infra/observability/alerts.yml', 'utf8')) as {
  groups: { rules: { alert: string; expr: string }[] }[];
};

describe('the Grafana dashboard and the alert rules', () => {
  const { names, histograms } = exportedNames();
  const known = (name: string) => {
    if (names.has(name) || PROMETHEUS_OWN.has(name)) return true;
    const base = name.replace(/_(bucket|sum|count)$/, '');
    return base !== name && histograms.has(base);
  };
  const expressions = [
    ...dashboard.panels.flatMap((p) =>
      (p.targets ?? []).map((t) => ({ where: `panel ${p.title}`, expr: t.expr })),
    ),
    ...alerts.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))),
  ];

  it('use only metric names the relay and the functions export', () => {
    expect(expressions.length).toBeGreaterThan(10);
    const unknown = expressions.flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((name) => !known(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('cover calls, ASR, post-dial delay, failovers, rejects, decision latency, spool depth and the API', () => {
    const used = new Set(expressions.flatMap(({ expr }) => metricNames(expr)));
    for (const name of [
      'tandem_relay_calls_total',
      'tandem_relay_provider_attempts_total',
      'tandem_relay_post_dial_delay_seconds_bucket',
      'tandem_relay_attempts_total',
      'tandem_relay_rejects_total',
      'tandem_decision_duration_seconds_bucket',
      'tandem_cdr_spool_bytes',
      'tandem_http_requests_total',
      'tandem_provider_up',
      'tandem_relay_decision_unreachable',
    ])
      expect(used, name).toContain(name);
    const rules = alerts.groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(rules).toEqual(
      expect.arrayContaining(['TandemDecisionUnreachable', 'TandemProviderDown', 'TandemAsrDrop']),
    );
  });

  it('catch a name no registry exports', () => {
    expect(
      metricNames('sum(rate(tandem_relay_callz_total{code="200"}[5m]))').filter((n) => !known(n)),
    ).toEqual(['tandem_relay_callz_total']);
  });
});
