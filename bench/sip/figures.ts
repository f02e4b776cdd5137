import type { StepResult } from './steps';

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** Best passing step per target. */
export function bestByTarget(results: readonly StepResult[]): Map<string, StepResult | undefined> {
  const best = new Map<string, StepResult | undefined>();
  for (const r of results) {
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
      `| ${r.target} | ${r.rate} | ${fmt(r.offeredCps)} | ${r.successful} | ${r.failed} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${fmt(r.cpuPercent)} | ${fmt(r.cpuUsPerCall)} | ${fmt(r.cpuSplit.decision)} / ${fmt(r.cpuSplit.harness)} / ${fmt(r.cpuSplit.dynamodb)} / ${fmt(r.cpuSplit.sipp)} / ${fmt(r.cpuSplit.machine)} | ${fmt(r.pssMb, 1)} | ${r.passed ? 'yes' : 'no'} |`,
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
