/**
 * `npm run bench:media:ng`: the media-anchoring part of a call on its own:
 * offer + answer + delete through `createRtpengineAnchor` against a local
 * userspace rtpengine, at a fixed concurrency. Reports calls/s and the
 * latency the anchoring adds to call setup (offer on the INVITE, answer on
 * the 200). No RTP: the relay-level benchmark with sipp is in README.md.
 *
 *   npm run bench:media:ng -- [--calls 5000] [--concurrency 50] [--threads 1] [--json out.json]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createNgClient } from '../../edge-relay/media/ng-client';
import { createRtpengineAnchor } from '../../edge-relay/media/rtpengine-anchor';
import { startRtpengine } from '../../local/rtpengine-process';
import { cpuSeconds, processTree } from '../sip/proc-stats';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '50' },
    threads: { type: 'string', default: '1' },
    json: { type: 'string' },
  },
});
const total = Number(values.calls);
const concurrency = Number(values.concurrency);
const log = (line: string) => console.log(`[bench:media:ng] ${line}`);

const sdp = (port: number, origin: string) =>
  `v=0\r\no=- 1 1 IN IP4 ${origin}\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0 8 101\r\n` +
  'a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n';

// Each live call holds 4 rtpengine ports (2 legs x RTP+RTCP); leave room.
const rtpengine = await startRtpengine({ threads: Number(values.threads), portCount: concurrency * 8 + 100 });
const anchor = await createRtpengineAnchor({
  instances: [rtpengine.address],
  failurePolicy: 'reject',
  timeoutMs: 2_000,
});
const pids = processTree(rtpengine.pid);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const summary = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return { p50: percentile(s, 0.5), p99: percentile(s, 0.99), max: s.at(-1) ?? 0 };
};

async function run(label: string, count: number) {
  const offer: number[] = [];
  const answer: number[] = [];
  const del: number[] = [];
  let next = 0;
  const cpuBefore = cpuSeconds(pids);
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const callId = `${label}-${i}@bench`;
      let t = performance.now();
      const offered = await anchor.offer({
        callId,
        fromTag: 'a',
        viaBranch: `z9hG4bK-${i}`,
        sdp: sdp(10_000 + (i % 1000) * 2, '192.0.2.1'),
      });
      offer.push(performance.now() - t);
      t = performance.now();
      await anchor.answer({
        callId,
        fromTag: 'a',
        toTag: 'b',
        viaBranch: `z9hG4bK-${i}`,
        sdp: sdp(20_000 + (i % 1000) * 2, '198.51.100.1'),
        instance: offered.instance!,
      });
      answer.push(performance.now() - t);
      t = performance.now();
      await anchor.delete({ callId, instance: offered.instance! });
      del.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpu = ((cpuSeconds(pids) - cpuBefore) / seconds) * 100;
  return {
    calls: count,
    seconds,
    callsPerSecond: count / seconds,
    rtpengineCpuPercent: cpu,
    offer: summary(offer),
    answer: summary(answer),
    delete: summary(del),
  };
}

try {
  await run('warmup', Math.min(500, total));
  const result = await run('measured', total);
  const ng = await createNgClient({ timeoutMs: 1_000 });
  const left = ((await ng.send(rtpengine.address, 'list', { limit: 10 }))['calls'] as string[]) ?? [];
  ng.close();
  const ms = (x: { p50: number; p99: number; max: number }) =>
    `p50 ${x.p50.toFixed(2)} / p99 ${x.p99.toFixed(2)} / max ${x.max.toFixed(1)} ms`;
  log(`${result.calls} calls, concurrency ${concurrency}, rtpengine threads ${values.threads}`);
  log(
    `${result.callsPerSecond.toFixed(0)} calls/s (offer+answer+delete), rtpengine cpu ${result.rtpengineCpuPercent.toFixed(0)} %`,
  );
  log(`offer ${ms(result.offer)}; answer ${ms(result.answer)}; delete ${ms(result.delete)}`);
  log(`calls left in rtpengine after the run: ${left.length}`);
  if (values.json)
    writeFileSync(values.json, JSON.stringify({ ...result, concurrency, callsLeft: left.length }, null, 2));
  if (left.length > 0) process.exitCode = 1;
} finally {
  await anchor.close();
  await rtpengine.stop();
}
