/**
 * `npm run bench:sip`: sipp UAC (an IPBX) -> proxy -> sipp UAS (a provider)
 * on loopback, stepping the call rate, against Kamailio 5.6 (the anchor) and
 * Tandem's relay with the local decision. Prints a figures table.
 *
 *   npm run bench:sip -- [--targets kamailio,tandem,npm-start] [--rates 1000,1500,2000,2500,3000,3500]
 *                        [--duration 8] [--hold 500] [--cold [--cold-rate 50] [--cold-duration 5]] [--failover] [--json out.json] [--keep]
 *                        [--memory 20000 [--memory-rate 500]] [--warmup-rate 200] [--warmup-duration 5]
 *                        [--capture] [--proxy-nice=-15] [--limits]
 *
 * --memory N (Tandem only) then holds N concurrent calls and reports the
 * relay heap per call.
 *
 * --limits sets limits on the IPBX, its customer and both providers, high enough never to
 * refuse: every call takes its leases (admission/), in memory, or in Redis with
 * BENCH_RELAY_CONFIG='{"dialogs":{"redisUrl":"redis://…"}}'.
 *
 * --failover makes the first provider answer 503 to every INVITE, so every
 * call takes the failover path.
 *
 * --capture (tcpdump, root) records each counted step on loopback and prints
 * where the INVITE->200 time went: the proxy's own phases, the decide round
 * trip and the callee's (capture.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freeUdpPort } from '../../platform/free-port';
import { tcpdumpAvailable } from './capture';
import { type Compared, comparisonTable, figuresTable, phasesTable } from './figures';
import { type SipProxy, startKamailio } from './kamailio';
import { type MemoryResult, measureMemory } from './memory';
import { startNpmStart } from './npm-start';
import { processTree } from './proc-stats';
import { startUas, type Uas } from './sipp';
import { proxyPlan, runSteps, type StepResult } from './steps';
import { startTandem, tandemAvailable } from './tandem';

const { values } = parseArgs({
  options: {
    targets: { type: 'string' },
    rates: { type: 'string', default: '1000,1500,2000,2500,3000,3500' },
    duration: { type: 'string', default: '8' },
    hold: { type: 'string', default: '500' },
    p99: { type: 'string', default: '100' },
    failover: { type: 'boolean', default: false },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
    memory: { type: 'string' },
    'memory-rate': { type: 'string', default: '500' },
    'warmup-rate': { type: 'string', default: '200' },
    'warmup-duration': { type: 'string', default: '5' },
    capture: { type: 'boolean', default: false },
    'proxy-nice': { type: 'string' },
    limits: { type: 'boolean', default: false },
    cold: { type: 'boolean', default: false },
    'cold-rate': { type: 'string', default: '50' },
    'cold-duration': { type: 'string', default: '5' },
  },
});

/**
 * `--targets direct`: the UAC calls the UAS itself, no proxy between. Its INVITE->200 times are the
 * harness's own (sipp on this machine), what a proxy's figures are compared with to get the delay the
 * proxy adds. Its "proxy CPU" is the UAS sipp's.
 */
const directToUas = (uas: Uas): SipProxy => ({
  name: 'Direct (no proxy)',
  port: uas.port,
  pid: uas.process.pid ?? 0,
  stop: async () => {},
});

const log = (line: string) => console.log(`[bench:sip] ${line}`);

/**
 * `--proxy-nice=N` (e.g. -15, written with `=`; below 0 needs root): the proxy under test, every process of it (Kamailio's
 * workers; Tandem's relay and its decision server), runs at nice N while sipp stays at 0. On a 2-vCPU
 * box the load generator otherwise takes the proxy's core at random moments, which a proxy on its own
 * VM never sees; both proxies get the same treatment.
 */
function prioritize(proxy: SipProxy, nice: number): void {
  const pids = [...processTree(proxy.pid), ...(proxy.decisionPid ? processTree(proxy.decisionPid) : [])];
  for (const pid of pids) setPriority(pid, nice);
  log(`${proxy.name}: ${pids.length} processes at nice ${nice}`);
}

if (values.capture && !tcpdumpAvailable()) {
  console.error('--capture needs tcpdump (apt-get install tcpdump) and root or CAP_NET_RAW');
  process.exit(2);
}
const rates = values.rates.split(',').map(Number);
const targets = (
  values.targets ?? ((await tandemAvailable()) ? 'kamailio,tandem,npm-start' : 'kamailio')
).split(',');
const cwd = mkdtempSync(join(tmpdir(), 'tandem-bench-sip-'));
const results: StepResult[] = [];
let memory: MemoryResult | undefined;
const service = '+15551230000';
// One UAC port per target: Tandem knows the IPBX by its source address and port.
const uacPort = await freeUdpPort();
const compared: Compared = {};

for (const target of targets) {
  const primary = await startUas(values.failover ? 'uas-503.xml' : 'uas.xml', cwd);
  const secondary = await startUas('uas.xml', cwd);
  let proxy: (SipProxy & { heapUsed?: () => Promise<number> }) | undefined;
  try {
    proxy =
      target === 'kamailio'
        ? await startKamailio({ primary: primary.port, secondary: secondary.port })
        : target === 'direct'
          ? directToUas(primary)
          : target === 'npm-start'
            ? await startNpmStart({ primary: primary.port, secondary: secondary.port, uacPort })
            : await startTandem({
                primary: primary.port,
                secondary: secondary.port,
                uacPort,
                ...(values.limits ? { limits: true, name: 'Tandem relay, limits' } : {}),
              });
    if (target === 'kamailio') compared.kamailio = proxy.name;
    else if (target === 'tandem') compared.tandem = proxy.name;
    else if (target === 'npm-start') compared.npmStart = proxy.name;
    log(
      `${proxy.name} on udp 127.0.0.1:${proxy.port} (pid ${proxy.pid}), providers ${primary.port}${values.failover ? ' (503)' : ''} / ${secondary.port}`,
    );
    if (values['proxy-nice'] !== undefined) prioritize(proxy, Number(values['proxy-nice']));
    // Warm-up, not counted, the same for every target: a freshly started Node process runs its first
    // thousand calls unoptimised (JIT) with a small young generation; a cold relay hit by 700 cps at once
    // answered every call of the first 2-3 s in 300-400 ms, then ~20 ms. Production relays run for days.
    const plan = proxyPlan(proxy, { uacPort, service, cwd });
    // --cold: the first seconds right after start (nothing sent to the proxy yet), and later the same
    // step once warm; p99 limit off, so a slow start is measured rather than cut short.
    const coldStep = async (kind: 'cold' | 'steady') =>
      (
        await runSteps({
          ...plan,
          rates: [Number(values['cold-rate'])],
          durationS: Number(values['cold-duration']),
          holdMs: Number(values.hold),
          p99LimitMs: 1e9,
          ...(values.capture ? { captureDir: cwd } : {}),
          log: (line) => log(`${kind}: ${line}`),
        })
      ).map((step) => ({ ...step, kind }));
    if (values.cold) results.push(...(await coldStep('cold')));
    await runSteps({
      ...plan,
      rates: [Number(values['warmup-rate'])],
      durationS: Number(values['warmup-duration']),
      holdMs: 200,
      p99LimitMs: 1e9,
      log: () => {},
    });
    await new Promise((r) => setTimeout(r, 2_000));
    results.push(
      ...(await runSteps({
        ...plan,
        rates,
        durationS: Number(values.duration),
        holdMs: Number(values.hold),
        p99LimitMs: Number(values.p99),
        ...(values.capture ? { captureDir: cwd } : {}),
        log,
      })),
    );
    if (values.cold) results.push(...(await coldStep('steady')));
    if (values.memory && target === 'tandem' && proxy.heapUsed) {
      // The steps' transactions must be gone (64*T1) before the baseline heap is read.
      await new Promise((r) => setTimeout(r, 64 * 500 + 5_000));
      memory = await measureMemory({
        proxy: { ...proxy, heapUsed: proxy.heapUsed },
        calls: Number(values.memory),
        rate: Number(values['memory-rate']),
        uacPort,
        service,
        cwd,
        log,
      });
    }
  } finally {
    await proxy?.stop();
    await Promise.all([primary.stop(), secondary.stop()]);
  }
}

console.log(
  figuresTable(results, {
    failover: values.failover,
    durationS: Number(values.duration),
    holdMs: Number(values.hold),
  }),
);
if (values.capture) console.log(phasesTable(results));
if (Object.keys(compared).length > 1 || compared.npmStart) console.log(comparisonTable(results, compared));
if (memory) {
  console.log(
    `\nMemory: ${memory.established}/${memory.calls} concurrent calls held, relay heap after full GC ${memory.heapBeforeMb.toFixed(1)} → ${memory.heapWithCallsMb.toFixed(1)} MB = ${memory.heapPerCallBytes.toFixed(0)} bytes per held call (steady, after 64*T1; target ≤ 2048); ` +
      `3 s after the last INVITE (transactions lingering) ${memory.heapLingeringMb.toFixed(1)} MB = ${memory.heapLingeringPerCallBytes.toFixed(0)} bytes per call; relay PSS ${memory.pssWithCallsMb.toFixed(1)} MB`,
  );
}
if (values.json) writeFileSync(values.json, JSON.stringify({ steps: results, memory }, null, 2));
if (values.keep) log(`sipp files kept in ${cwd}`);
else rmSync(cwd, { recursive: true, force: true });
