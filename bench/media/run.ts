/**
 * `npm run bench:media`: calls/s through Tandem's relay with media anchoring
 * off vs on (one userspace rtpengine), on the sipp harness of bench/sip/
 * (sipp UAC as an IPBX -> relay -> sipp UAS as providers, SDP in INVITE and
 * 200, no RTP: signalling + rtpengine ng cost). Short bounded steps; a mode
 * stops at its first failing step. Prints both and the cost of anchoring.
 *
 *   npm run bench:media -- [--rates 50,100,200] [--duration 3] [--hold 500] [--p99 100]
 *                          [--modes unanchored,anchored[,transcoding]] [--json out.json]
 *
 * `transcoding`: providers take PCMA only while the UAC offers PCMU.
 * Exit code 1 when rtpengine's own `list` still holds calls after a step.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createNgClient } from '../../edge-relay/media/ng-client';
import { type RtpengineProcess, startRtpengine } from '../../local/rtpengine-process';
import { freeUdpPort } from '../../platform/free-port';
import { figuresTable } from '../sip/figures';
import { cpuSeconds, processTree } from '../sip/proc-stats';
import { startUas } from '../sip/sipp';
import { proxyPlan, runSteps, type StepResult } from '../sip/steps';
import { type MediaStep, mediaFigures } from './figures';
import { startTandemMedia } from './tandem-media';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '50,100,200' },
    duration: { type: 'string', default: '3' },
    hold: { type: 'string', default: '500' },
    p99: { type: 'string', default: '100' },
    modes: { type: 'string', default: 'unanchored,anchored' },
    json: { type: 'string' },
  },
});
const log = (line: string) => console.log(`[bench:media] ${line}`);
const rates = values.rates.split(',').map(Number);
const durationS = Number(values.duration);
const holdMs = Number(values.hold);
const modes = values.modes.split(',') as ('unanchored' | 'anchored' | 'transcoding')[];
const cwd = mkdtempSync(join(tmpdir(), 'tandem-bench-media-'));
const service = '+15551230000';
const steps: MediaStep[] = [];
let leaked = 0;

// 4 ports per live call (2 legs x RTP+RTCP), live calls = rate x (hold + teardown slack), 20 % spare.
const portCount = Math.ceil(Math.max(...rates) * (holdMs / 1000 + 2) * 4 * 1.2);
let rtpengine: RtpengineProcess | undefined;
const ng = await createNgClient({ timeoutMs: 1_000 });

try {
  if (modes.some((m) => m !== 'unanchored')) {
    rtpengine = await startRtpengine({ threads: 1, portCount });
    log(`rtpengine ng ${rtpengine.address.host}:${rtpengine.address.port}, ${portCount} RTP ports, 1 thread`);
  }
  for (const mode of modes) {
    const uacPort = await freeUdpPort();
    const [primary, secondary] = [await startUas('uas.xml', cwd), await startUas('uas.xml', cwd)];
    const proxy = await startTandemMedia({
      primary: primary.port,
      secondary: secondary.port,
      uacPort,
      ...(mode === 'unanchored' ? {} : { rtpengine: rtpengine!.address }),
      ...(mode === 'transcoding' ? { codecs: { allow: ['PCMA'], transcode: ['PCMA'] } } : {}),
    });
    log(`${proxy.name}: relay udp ${proxy.port} (pid ${proxy.pid})`);
    const plan = proxyPlan(proxy, { uacPort, service, cwd });
    try {
      // Warm-up (JIT, decision keep-alive pool), not counted.
      await runSteps({ ...plan, rates: [20], durationS: 2, holdMs: 200, p99LimitMs: 1e9, log: () => {} });
      await callsLeft(); // the warm-up's calls end before the first step
      for (const rate of rates) {
        const enginePids = rtpengine && mode !== 'unanchored' ? processTree(rtpengine.pid) : [];
        const engineBefore = cpuSeconds(enginePids);
        const sessionsBefore = await managedSessions();
        const started = performance.now();
        const [step] = await runSteps({
          ...plan,
          rates: [rate],
          durationS,
          holdMs,
          p99LimitMs: Number(values.p99),
          log,
        });
        if (!step) break;
        // runSteps waits 3 s after a passing step; the UAC ran durationS + hold: CPU over the UAC's time.
        const uacSeconds = Math.max(
          durationS + holdMs / 1000,
          (performance.now() - started) / 1000 - (step.passed ? 3 : 0),
        );
        const rtpengineCpuPercent = ((cpuSeconds(enginePids) - engineBefore) / uacSeconds) * 100;
        const left = mode === 'unanchored' ? 0 : await callsLeft();
        // Sessions rtpengine managed in the step: proves the calls were anchored (0 when unanchored).
        const anchoredCalls = (await managedSessions()) - sessionsBefore;
        leaked += left;
        steps.push({ ...step, mode, rtpengineCpuPercent, callsLeft: left, anchoredCalls });
        if (mode !== 'unanchored')
          log(
            `  rtpengine: ${anchoredCalls} calls anchored, cpu ${rtpengineCpuPercent.toFixed(0)} %, calls left ${left}`,
          );
        if (!step.passed) break;
      }
    } finally {
      await proxy.stop();
      await Promise.all([primary.stop(), secondary.stop()]);
    }
  }
} finally {
  ng.close();
  await rtpengine?.stop();
  rmSync(cwd, { recursive: true, force: true });
}

console.log(figuresTable(steps as StepResult[], { failover: false, durationS, holdMs }));
console.log(mediaFigures(steps, { durationS, holdMs }));
if (values.json) writeFileSync(values.json, JSON.stringify({ steps, leaked }, null, 2));
if (leaked > 0) {
  log(`${leaked} calls leaked in rtpengine`);
  process.exitCode = 1;
}

/** rtpengine's total of sessions managed since start (`statistics`). */
async function managedSessions(): Promise<number> {
  if (!rtpengine) return 0;
  const reply = await ng.send(rtpengine.address, 'statistics', {});
  const stats = reply['statistics'] as { totalstatistics?: { managedsessions?: number } } | undefined;
  return Number(stats?.totalstatistics?.managedsessions ?? 0);
}

/** rtpengine's own `list` once the step's calls had time to end (polled up to 5 s). */
async function callsLeft(): Promise<number> {
  if (!rtpengine) return 0;
  let left: string[] = [];
  for (let i = 0; i < 25; i++) {
    left =
      ((await ng.send(rtpengine.address, 'list', { limit: 1000 }))['calls'] as string[] | undefined) ?? [];
    if (left.length === 0) return 0;
    await new Promise((r) => setTimeout(r, 200));
  }
  return left.length;
}
