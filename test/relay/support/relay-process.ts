import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRelay, relayBundlePath } from '../../../infra/build/relay';

let bundle: Promise<string> | undefined;

/** The relay as deployed: `npm run build:relay`'s bundle, built once per test file into a temp folder. */
export function relayBundle(): Promise<string> {
  bundle ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-relay-bundle-'));
    await buildRelay(dir);
    return relayBundlePath(dir);
  })();
  return bundle;
}

export type RelayProcess = {
  readonly child: ChildProcess;
  /** Everything the process wrote (JSON log lines), so far. */
  output(): string;
  /** Resolves with the output once it holds `text`; rejects after `ms`. */
  waitFor(text: string, ms?: number): Promise<string>;
  readonly exited: Promise<number | null>;
  /** SIGKILL (kill -9): nothing of the process runs after it. */
  kill9(): Promise<void>;
};

/**
 * Starts the bundled relay under `node` with `env` (and PATH); logging at info unless `env` says
 * otherwise.
 *
 * @example
 * const relay = await startRelayProcess({ TANDEM_SIP_PORT: '5070', TANDEM_DECIDE_URL: url, ... });
 * await relay.waitFor('relay started');
 */
export async function startRelayProcess(env: Record<string, string>): Promise<RelayProcess> {
  const child = spawn(process.execPath, [await relayBundle()], {
    env: { PATH: process.env.PATH ?? '', TANDEM_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const append = (d: Buffer) => {
    out += d.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    output: () => out,
    exited,
    async waitFor(text, ms = 15_000) {
      const deadline = Date.now() + ms;
      while (!out.includes(text)) {
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`relay never logged "${text}":\n${out.slice(-4000)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return out;
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
