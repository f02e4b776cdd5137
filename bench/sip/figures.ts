import type { StepResult } from './steps';

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** Best passing step per target. */
export function bestByTarget(results: readonly StepResult[]): Map<string, StepResult | undefined> {
  const best = new Map<string, StepResult | undefined>();
  for (const r of results) {
    if (r.kind) continue;
    if (!best.has(r.target)) best.set(r.target, undefined);
    const current = best.get(r.target);
    if (r.passed && (!current || r.rate > current.rate)) best.set(r.target, r);
  }
  return best;
}

/** The figures table printed at the end of a run (markdown, ready for docs/performance.md). */
export function figuresTable(
  results: readonly StepResult[],
  run: { failover: boolean; durationS: number; holdMs: number },
): string {
  const lines = [
    '',
    `SIP benchmark: sipp UAC -> proxy -> sipp UAS, UDP loopback, ${run.durationS} s per step, hold ${run.holdMs} ms${run.failover ? ', first provider answers 503 (failover on every call)' : ''}`,
    '',
    '| proxy | target cps | offered cps | ok | failed | INVITE->200 p50 ms | p99 ms | max ms | proxy CPU % | µs/call | decision / harness / dynamodb / sipp / machine % | proxy PSS MB | pass |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.target}${r.kind ? ` (${r.kind})` : ''} | ${r.rate} | ${fmt(r.offeredCps)} | ${r.successful} | ${r.failed} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${fmt(r.cpuPercent)} | ${fmt(r.cpuUsPerCall)} | ${fmt(r.cpuSplit.decision)} / ${fmt(r.cpuSplit.harness)} / ${fmt(r.cpuSplit.dynamodb)} / ${fmt(r.cpuSplit.sipp)} / ${fmt(r.cpuSplit.machine)} | ${fmt(r.pssMb, 1)} | ${r.passed ? 'yes' : 'no'} |`,
    );
  }
  lines.push('', '| proxy | highest rate with 0 failed and p99 <= limit |', '|---|---|');
  const best = bestByTarget(results);
  for (const [target, step] of best) {
    lines.push(
      `| ${target} | ${step ? `${step.rate} cps (cpu ${fmt(step.cpuPercent)} %, pss ${fmt(step.pssMb, 1)} MB)` : 'none'} |`,
    );
  }
  const [a, b] = [...best.values()];
  if (best.size === 2 && a && b)
    lines.push('', `ratio ${[...best.keys()][1]} / ${[...best.keys()][0]}: ${fmt(b.rate / a.rate, 2)}`);
  return lines.join('\n');
}

/** The `--capture` figures: per step, where the INVITE->200 time went (ms, read off the wire). */
export function phasesTable(results: readonly StepResult[]): string {
  const lines = [
    '',
    '| proxy | cps | calls | phase | p50 ms | p90 ms | p99 ms | max ms |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    if (!r.phases?.calls) continue; // direct: no proxy between
    for (const f of r.phases.phases) {
      lines.push(
        `| ${r.target} | ${r.rate} | ${r.phases.calls} | ${f.phase} | ${fmt(f.p50, 2)} | ${fmt(f.p90, 2)} | ${fmt(f.p99, 2)} | ${fmt(f.max, 1)} |`,
      );
    }
  }
  return lines.join('\n');
}

/** The targets of the comparison table: the proxies' names as the run showed them. */
export type Compared = { tandem?: string; kamailio?: string; npmStart?: string };

/**
 * The comparison a carrier asks for, in one table: Tandem's relay as deployed against Kamailio in
 * the same run (highest passing rate, p99 INVITE->200 at the rates both ran, the first seconds after
 * start against the same step warm), `npm start` as a whole at its first step, and each target
 * named in docs/performance.md met or not.
 */
export function comparisonTable(
  results: readonly StepResult[],
  names: Compared,
  p99Rates = [1000, 1500, 2000],
): string {
  const steps = (target: string | undefined) => results.filter((r) => r.target === target && !r.kind);
  const at = (target: string | undefined, rate: number) => steps(target).find((r) => r.rate === rate);
  const kind = (target: string | undefined, k: 'cold' | 'steady') =>
    results.find((r) => r.target === target && r.kind === k);
  const best = bestByTarget(results);
  const highest = (target: string | undefined) => {
    const step = target ? best.get(target) : undefined;
    return step ? `${step.rate.toLocaleString('en-US')} calls/s` : 'none';
  };
  const p99s = (target: string | undefined) =>
    p99Rates.map((rate) => fmt(at(target, rate)?.p99 ?? Number.NaN)).join(' / ');
  const cold = (target: string | undefined) => {
    const [c, w] = [kind(target, 'cold'), kind(target, 'steady')];
    return c ? `${fmt(c.p99)} ms (${c.failed} failed); warm: ${w ? `${fmt(w.p99)} ms` : '-'}` : '-';
  };
  const columns = [names.tandem, names.kamailio].filter((n): n is string => n !== undefined);
  const first = steps(names.npmStart)[0];
  const lines = [
    '',
    `| | ${columns.join(' | ')} |`,
    `|---|${columns.map(() => '---|').join('')}`,
    `| highest passing rate | ${columns.map(highest).join(' | ')} |`,
    `| p99 INVITE->200 at ${p99Rates.map((r) => r.toLocaleString('en-US')).join(' / ')} calls/s, ms | ${columns.map(p99s).join(' | ')} |`,
  ];
  const coldRow = columns.some((c) => kind(c, 'cold'));
  if (coldRow) {
    const rate = kind(
      columns.find((c) => kind(c, 'cold')),
      'cold',
    )?.rate;
    lines.push(`| p99 of the first seconds at ${rate} calls/s (cold) | ${columns.map(cold).join(' | ')} |`);
  }
  if (first)
    lines.push(
      `| \`npm start\` as a whole, first step | ${first.rate.toLocaleString('en-US')} calls/s: ${first.failed} failed, p99 ${fmt(first.p99)} ms${columns.length > 1 ? ' | — ' : ' '}|`,
    );
  const verdicts: string[] = [];
  const [t, k] = [names.tandem && best.get(names.tandem), names.kamailio && best.get(names.kamailio)];
  if (names.tandem && names.kamailio) {
    const ratio = t && k ? t.rate / k.rate : 0;
    verdicts.push(`ratio ${fmt(ratio, 2)} (target >= 1.0): ${ratio >= 1 ? 'met' : 'not met'}`);
    for (const rate of [1000, 2000]) {
      const [a, b] = [at(names.tandem, rate), at(names.kamailio, rate)];
      const gap = a && b ? a.p99 - b.p99 : Number.NaN;
      verdicts.push(
        `p99 at ${rate} calls/s: ${fmt(a?.p99 ?? Number.NaN)} against ${fmt(b?.p99 ?? Number.NaN)} ms (target within 2 ms): ${gap <= 2 ? 'met' : 'not met'}`,
      );
    }
  }
  const [c, w] = [kind(names.tandem, 'cold'), kind(names.tandem, 'steady')];
  if (c && w)
    verdicts.push(
      `cold p99 ${fmt(c.p99)} against warm ${fmt(w.p99)} ms (target within 2 ms, none failed): ${c.p99 - w.p99 <= 2 && c.failed === 0 ? 'met' : 'not met'}`,
    );
  if (first)
    verdicts.push(
      `npm start at ${first.rate} calls/s: p99 ${fmt(first.p99)} ms, ${first.failed} failed (target at 1,000: p99 <= 20 ms, none failed): ${first.rate >= 1000 && first.failed === 0 && first.p99 <= 20 ? 'met' : 'not met'}`,
    );
  return [...lines, '', ...verdicts.map((v) => `- ${v}`)].join('\n');
}
