import type { StepResult } from '../sip/steps';

export type MediaMode = 'unanchored' | 'anchored' | 'transcoding';
export type MediaStep = StepResult & {
  mode: MediaMode;
  rtpengineCpuPercent: number;
  callsLeft: number;
  /** Sessions rtpengine managed during the step. */
  anchoredCalls: number;
};

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** Highest passing rate of a mode (steps run in rising order and stop at the first failure). */
export function bestRate(steps: readonly MediaStep[], mode: MediaMode): MediaStep | undefined {
  return steps.filter((s) => s.mode === mode && s.passed).sort((a, b) => b.rate - a.rate)[0];
}

/** 1 - cps(anchored) / cps(unanchored); NaN when either mode passed no step. */
export function anchoringCost(unanchoredCps: number | undefined, anchoredCps: number | undefined): number {
  if (!unanchoredCps || anchoredCps === undefined) return Number.NaN;
  return 1 - anchoredCps / unanchoredCps;
}

/**
 * The media part of the figures: per mode and rate, relay CPU, rtpengine CPU
 * and their sum per 100 cps; best passing rate per mode; the cost of anchoring.
 *
 * @example
 * console.log(mediaFigures(steps, { durationS: 3, holdMs: 500 }));
 */
export function mediaFigures(
  steps: readonly MediaStep[],
  run: { durationS: number; holdMs: number },
): string {
  const lines = [
    '',
    `Media anchoring: ${run.durationS} s steps, hold ${run.holdMs} ms, SDP offer/answer only (no RTP: signalling + rtpengine ng cost)`,
    '',
    '| mode | cps | p99 ms | relay CPU % | rtpengine CPU % | sum per 100 cps % | calls anchored | calls left in rtpengine | pass |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of steps) {
    const sum = s.cpuPercent + s.rtpengineCpuPercent;
    lines.push(
      `| ${s.mode} | ${s.rate} | ${fmt(s.p99)} | ${fmt(s.cpuPercent)} | ${fmt(s.rtpengineCpuPercent)} | ${fmt((sum / s.rate) * 100)} | ${s.anchoredCalls} | ${s.callsLeft} | ${s.passed ? 'yes' : 'no'} |`,
    );
  }
  const off = bestRate(steps, 'unanchored');
  lines.push('');
  for (const mode of ['unanchored', 'anchored', 'transcoding'] as const) {
    if (!steps.some((s) => s.mode === mode)) continue;
    const best = bestRate(steps, mode);
    const cost =
      mode === 'unanchored'
        ? ''
        : `, cost of anchoring ${fmt(anchoringCost(off?.rate, best?.rate ?? 0) * 100)} % of cps`;
    lines.push(`${mode}: best ${best ? `${best.rate} cps (p99 ${fmt(best.p99)} ms)` : 'none'}${cost}`);
  }
  // CPU at the highest rate every mode passed: what anchoring costs before the rate limit shows it.
  const modes = [...new Set(steps.map((s) => s.mode))];
  const common = Math.min(...modes.map((m) => bestRate(steps, m)?.rate ?? 0));
  const at = (m: MediaMode) => steps.find((s) => s.mode === m && s.rate === common);
  const base = at('unanchored');
  if (common > 0 && base) {
    for (const m of modes.filter((x) => x !== 'unanchored')) {
      const s = at(m);
      if (!s) continue;
      const total = s.cpuPercent + s.rtpengineCpuPercent;
      lines.push(
        `at ${common} cps: ${m} p99 ${fmt(s.p99)} ms vs ${fmt(base.p99)} ms, CPU relay+rtpengine ${fmt(total)} % vs relay ${fmt(base.cpuPercent)} % (x${fmt(total / base.cpuPercent, 2)})`,
      );
    }
  }
  return lines.join('\n');
}
