import { cpuSeconds, memoryMb, processTree } from './proc-stats';
import { runUac, type UacResult } from './sipp';

export type StepResult = UacResult & {
  target: string;
  /** The call rate asked of sipp. */
  rate: number;
  /** Proxy CPU in % of one core (up to 200 % on 2 cores). */
  cpuPercent: number;
  /** Peak proxy PSS during the step, MB. */
  pssMb: number;
  passed: boolean;
};

export type StepPlan = {
  target: string;
  proxyPid: number;
  proxyPort: number;
  uacPort: number;
  service: string;
  rates: readonly number[];
  durationS: number;
  holdMs: number;
  p99LimitMs: number;
  cwd: string;
  log: (line: string) => void;
};

/** A step passes with every call successful, p99 INVITE->200 within the limit and the rate really offered. */
export function stepPassed(r: UacResult, rate: number, durationS: number, p99LimitMs: number): boolean {
  const expected = Math.round(rate * durationS);
  return r.failed === 0 && r.successful === expected && r.p99 <= p99LimitMs && r.offeredCps >= rate * 0.9;
}

/** Steps the call rate up until a step fails (each step bounded by sipp's -m and -timeout). */
export async function runSteps(plan: StepPlan): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const rate of plan.rates) {
    const pids = processTree(plan.proxyPid);
    const cpuBefore = cpuSeconds(pids);
    const started = performance.now();
    let pssMb = memoryMb(pids).pss;
    const sampler = setInterval(() => {
      pssMb = Math.max(pssMb, memoryMb(processTree(plan.proxyPid)).pss);
    }, 500);
    let uacEnded = 0;
    const result = await runUac({
      rate,
      durationS: plan.durationS,
      holdMs: plan.holdMs,
      target: `127.0.0.1:${plan.proxyPort}`,
      service: plan.service,
      uacPort: plan.uacPort,
      cwd: plan.cwd,
    }).finally(() => {
      uacEnded = performance.now();
      clearInterval(sampler);
    });
    const cpuPercent = ((cpuSeconds(pids) - cpuBefore) / ((uacEnded - started) / 1000)) * 100;
    const passed = stepPassed(result, rate, plan.durationS, plan.p99LimitMs);
    const step = { ...result, target: plan.target, rate, cpuPercent, pssMb, passed };
    results.push(step);
    plan.log(
      `${plan.target} ${rate} cps: ${result.successful}/${Math.round(rate * plan.durationS)} ok, ${result.failed} failed, ` +
        `p99 ${result.p99} ms, offered ${result.offeredCps.toFixed(0)} cps, cpu ${cpuPercent.toFixed(0)} %, pss ${pssMb.toFixed(1)} MB ${passed ? 'PASS' : 'FAIL'}`,
    );
    if (!passed) break;
    // Let the UAS timewait of the last calls run out before the next step.
    await new Promise((r) => setTimeout(r, 3_000));
  }
  return results;
}
