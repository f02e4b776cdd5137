import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { type Phases, phasesOf, startCapture } from './capture';
import type { SipProxy } from './kamailio';
import {
  cpuSeconds,
  cpuUserSystem,
  machineIdleSeconds,
  memoryMb,
  pidsByName,
  processTree,
} from './proc-stats';
import { runUac, type UacResult } from './sipp';

export type StepResult = UacResult & {
  target: string;
  /** The call rate asked of sipp. */
  rate: number;
  /** Proxy CPU in % of one core (up to 200 % on 2 cores). */
  cpuPercent: number;
  /** Peak proxy PSS during the step, MB. */
  pssMb: number;
  /**
   * Where the machine's CPU went during the step, % of one core each: the proxy (`proxySystem`:
   * its kernel share, tick-sampled), the decision server (Tandem's API + decision process; 0 for
   * Kamailio), this harness process, DynamoDB Local (java), every sipp (UAC + both UAS), and the
   * whole machine busy time (all processes and the kernel, 200 % = both cores).
   */
  cpuSplit: {
    proxy: number;
    proxySystem: number;
    decision: number;
    harness: number;
    sipp: number;
    dynamodb: number;
    machine: number;
  };
  /** Proxy CPU per call (user + system), µs. */
  cpuUsPerCall: number;
  /** Where the INVITE->200 time went, read off the wire (`captureDir`). */
  phases?: Phases;
  passed: boolean;
  /** `--cold`: the first seconds after the proxy started, or the same step once it is warm; neither counts in the stepping. */
  kind?: 'cold' | 'steady';
};

export type StepPlan = {
  target: string;
  proxyPid: number;
  /** The decision server's process (Tandem), measured apart from the proxy. */
  decisionPid?: number | undefined;
  proxyPort: number;
  uacPort: number;
  service: string;
  rates: readonly number[];
  durationS: number;
  holdMs: number;
  p99LimitMs: number;
  cwd: string;
  /** Capture every step on loopback with tcpdump into this directory and report its phases (capture.ts). */
  captureDir?: string | undefined;
  log: (line: string) => void;
};

/**
 * What every step of one proxy shares: its name and processes, the UAC's port and the number called.
 *
 * @example
 * await runSteps({ ...proxyPlan(proxy, { uacPort, service, cwd }), rates: [500], durationS: 10, holdMs: 1000, p99LimitMs: 100, log });
 */
export function proxyPlan(
  proxy: SipProxy,
  harness: { uacPort: number; service: string; cwd: string },
): Pick<StepPlan, 'target' | 'proxyPid' | 'decisionPid' | 'proxyPort' | 'uacPort' | 'service' | 'cwd'> {
  return {
    target: proxy.name,
    proxyPid: proxy.pid,
    decisionPid: proxy.decisionPid,
    proxyPort: proxy.port,
    ...harness,
  };
}

/** A step passes with every call successful, p99 INVITE->200 within the limit and the rate really offered. */
export function stepPassed(r: UacResult, rate: number, durationS: number, p99LimitMs: number): boolean {
  const expected = Math.round(rate * durationS);
  return r.failed === 0 && r.successful === expected && r.p99 <= p99LimitMs && r.offeredCps >= rate * 0.9;
}

/** Steps the call rate up until a step fails (each step bounded by sipp's -m and -timeout). */
export async function runSteps(plan: StepPlan): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const rate of plan.rates) {
    // Listening before the step's clock and counters start: tcpdump's start-up is not in the step.
    const pcap = plan.captureDir ? join(plan.captureDir, `step-${rate}.pcap`) : undefined;
    const capture = pcap ? await startCapture(pcap) : undefined;
    const pids = processTree(plan.proxyPid);
    const cpuBefore = cpuUserSystem(pids);
    const decisionPids = plan.decisionPid ? processTree(plan.decisionPid) : [];
    const decisionBefore = cpuSeconds(decisionPids);
    const harnessBefore = process.cpuUsage();
    const idleBefore = machineIdleSeconds();
    // sipp CPU: sampled while it runs (the UAC's CPU is lost once it exits and is reaped).
    const sippBefore = new Map(pidsByName('sipp').map((pid) => [pid, cpuSeconds([pid])]));
    // DynamoDB Local (java, a child of this process) answers the decision server's periodic config checks.
    const javaPids = pidsByName('java');
    const javaBefore = cpuSeconds(javaPids);
    const sippLast = new Map(sippBefore);
    const sampleSipp = () => {
      for (const pid of pidsByName('sipp')) {
        const cpu = cpuSeconds([pid]);
        if (cpu > 0) sippLast.set(pid, cpu);
      }
    };
    const started = performance.now();
    let pssMb = memoryMb(pids).pss;
    const sampler = setInterval(() => {
      pssMb = Math.max(pssMb, memoryMb(processTree(plan.proxyPid)).pss);
      sampleSipp();
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
    const seconds = (uacEnded - started) / 1000;
    const cpuAfter = cpuUserSystem(pids);
    const proxySystem = cpuAfter.system - cpuBefore.system;
    const proxyCpu = cpuAfter.user - cpuBefore.user + proxySystem;
    const cpuPercent = (proxyCpu / seconds) * 100;
    const calls = Math.max(1, result.successful + result.failed);
    sampleSipp();
    const harness = process.cpuUsage(harnessBefore);
    const idle = machineIdleSeconds() - idleBefore;
    let sippCpu = 0;
    for (const [pid, cpu] of sippLast) sippCpu += cpu - (sippBefore.get(pid) ?? 0);
    const cpuSplit = {
      proxy: cpuPercent,
      proxySystem: (proxySystem / seconds) * 100,
      decision: ((cpuSeconds(decisionPids) - decisionBefore) / seconds) * 100,
      harness: ((harness.user + harness.system) / 1e6 / seconds) * 100,
      sipp: (sippCpu / seconds) * 100,
      dynamodb: ((cpuSeconds(javaPids) - javaBefore) / seconds) * 100,
      machine: ((availableParallelism() * seconds - idle) / seconds) * 100,
    };
    const passed = stepPassed(result, rate, plan.durationS, plan.p99LimitMs);
    const cpuUsPerCall = (proxyCpu / calls) * 1e6;
    await capture?.stop();
    const phases = pcap ? phasesOf(pcap, plan.proxyPort) : undefined;
    if (pcap) rmSync(pcap, { force: true });
    const step = {
      ...result,
      target: plan.target,
      rate,
      cpuPercent,
      cpuSplit,
      cpuUsPerCall,
      pssMb,
      passed,
      ...(phases ? { phases } : {}),
    };
    results.push(step);
    plan.log(
      `${plan.target} ${rate} cps: ${result.successful}/${Math.round(rate * plan.durationS)} ok, ${result.failed} failed, ` +
        `p99 ${result.p99} ms, offered ${result.offeredCps.toFixed(0)} cps, cpu ${cpuPercent.toFixed(0)} % (${cpuSplit.proxySystem.toFixed(0)} % kernel, ${cpuUsPerCall.toFixed(0)} µs/call) ` +
        `(decision ${cpuSplit.decision.toFixed(0)} %, harness ${cpuSplit.harness.toFixed(0)} %, dynamodb ${cpuSplit.dynamodb.toFixed(0)} %, sipp ${cpuSplit.sipp.toFixed(0)} %, machine ${cpuSplit.machine.toFixed(0)}/200 %), ` +
        `pss ${pssMb.toFixed(1)} MB ${passed ? 'PASS' : 'FAIL'}`,
    );
    if (!passed) break;
    // Let the UAS timewait of the last calls run out before the next step.
    await new Promise((r) => setTimeout(r, 3_000));
  }
  return results;
}
