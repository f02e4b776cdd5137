/**
 * Cold init time of each Lambda bundle: a fresh Node process imports the
 * bundle (Lambda's INIT phase: module load and top-level code, settings from
 * SST links), once per run, 15 runs each. Prints median and p90.
 * Target (docs/design.md, "Targets"): ≤ 150 ms locally.
 *
 *   npm run bench:lambda
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLambdas, type LambdaName, lambdaBundlePath } from '../infra/build';
import { invokeBundle } from '../infra/check/invoke';
import { lambdaRuntimeEnv, sstResourceEnv } from '../infra/check/sst-links';

const runs = Number(process.env.RUNS ?? 15);
const secret = () => randomBytes(24).toString('base64url');
const sst = sstResourceEnv({
  tableName: 'tandem-bench',
  adminKey: `tdm_admin_${secret()}`,
  relayToken: `tdm_relay_${secret()}`,
  nonceSecret: secret(),
  upstashUrl: 'https://127.0.0.1:9',
  upstashToken: secret(),
});

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

const outDir = mkdtempSync(join(tmpdir(), 'tandem-lambda-bench-'));
try {
  const sizes = await buildLambdas(outDir);
  console.log(`Lambda cold init (module import in a fresh node ${process.version} process, ${runs} runs)`);
  console.log(
    `load average ${loadavg()[0]!.toFixed(2)} on ${cpus().length} cores (wall time suffers when > cores)`,
  );
  console.log(
    'bundle   all KiB   handler KiB   wall median ms   wall p90 ms   cpu median ms   target (wall median)',
  );
  for (const name of Object.keys(sizes) as LambdaName[]) {
    const env = {
      ...lambdaRuntimeEnv(`tandem-bench-${name}`, 512),
      ...sst,
      TANDEM_DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
    };
    const times: number[] = [];
    const cpuTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      const run = await invokeBundle(lambdaBundlePath(name, outDir), [], env);
      times.push(run.initMs);
      cpuTimes.push(run.initCpuMs);
    }
    times.sort((a, b) => a - b);
    cpuTimes.sort((a, b) => a - b);
    const median = quantile(times, 0.5);
    console.log(
      [
        name.padEnd(8),
        (sizes[name] / 1024).toFixed(1).padStart(7),
        (statSync(lambdaBundlePath(name, outDir)).size / 1024).toFixed(1).padStart(11),
        median.toFixed(1).padStart(14),
        quantile(times, 0.9).toFixed(1).padStart(11),
        quantile(cpuTimes, 0.5).toFixed(1).padStart(13),
        median <= 150 ? 'ok (≤ 150 ms)' : 'MISSED (> 150 ms)',
      ].join('   '),
    );
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
