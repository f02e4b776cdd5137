import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BoundedProcess, spawnBounded, until } from './bounded-process';
import { freeMediaBlock } from './ports';
import { parseSippTrace, type TracedMessage } from './sip-trace';

const scenarios = resolve(import.meta.dirname, '../../sipp/scenarios');

export type Carrier = {
  readonly port: number;
  readonly process: BoundedProcess;
  /** Every message sipp logged so far (`-trace_msg`), in order. */
  trace(): TracedMessage[];
  /** Waits for sipp to finish its one call (exit 0 when it followed the scenario) and returns the code. */
  finished(timeoutMs: number): Promise<number>;
  /** Stops sipp if it still runs, keeps the trace readable, removes the temp dir. */
  stop(): Promise<void>;
};

/**
 * The carrier: a sipp UAS on `port` answering one call with uas-answer.xml
 * (180, 200 with SDP, then the caller's ACK and BYE, 200 to the BYE), logging
 * every raw message it received and sent.
 *
 * @example
 * const carrier = await startCarrier(port, 'udp');
 * expect(await carrier.finished(10_000)).toBe(0);
 * expect(carrier.trace().filter((m) => m.direction === 'received').map((m) => m.method)).toEqual(['INVITE', 'ACK', 'BYE']);
 */
export async function startCarrier(port: number, transport: 'udp' | 'tcp'): Promise<Carrier> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-interop-carrier-'));
  const xml = readFileSync(join(scenarios, 'uas-answer.xml'), 'latin1')
    .replace(/__[A-Z]+_CHECK__/g, '')
    .replaceAll('__HOLD_MS__', '100');
  const scenario = join(dir, 'uas-answer.xml');
  writeFileSync(scenario, xml, 'latin1');
  const messages = join(dir, 'messages.log');
  const errors = join(dir, 'errors.log');
  const proc = spawnBounded(
    'sipp',
    [
      ...['-sf', scenario, '-i', '127.0.0.1', '-p', String(port)],
      ...['-mp', String(await freeMediaBlock(4)), '-t', transport === 'udp' ? 'u1' : 't1'],
      ...['-m', '1', '-nostdin', '-timeout', '40s', '-timeout_error'],
      ...['-trace_msg', '-message_file', messages, '-trace_err', '-error_file', errors],
    ],
    { limitS: 45, keep: 20_000 },
  );
  let kept: string | undefined;
  const read = () => {
    if (kept !== undefined) return kept;
    try {
      return readFileSync(messages, 'latin1');
    } catch {
      return '';
    }
  };
  try {
    await waitListening(port, transport, proc);
  } catch (error) {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    process: proc,
    trace: () => parseSippTrace(read()),
    async finished(timeoutMs) {
      const timer = new Promise<number>((r) => setTimeout(() => r(-2), timeoutMs));
      return Promise.race([proc.exited, timer]);
    },
    async stop() {
      await proc.stop();
      kept = read();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitListening(port: number, transport: 'udp' | 'tcp', sipp: BoundedProcess) {
  if (transport === 'udp') {
    // Nothing to connect to over UDP: give sipp the moment it needs to bind.
    await new Promise((r) => setTimeout(r, 300));
    return;
  }
  await until(
    () =>
      new Promise<boolean>((r) => {
        const s = connect(port, '127.0.0.1');
        s.once('connect', () => {
          s.destroy();
          r(true);
        });
        s.once('error', () => r(false));
      }),
    `the carrier listens on tcp ${port}`,
    10_000,
    () => sipp.output(),
  );
}
