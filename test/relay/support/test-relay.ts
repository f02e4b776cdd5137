import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RelayConfigInput } from '../../../edge-relay/config';
import { type Relay, type RelayDeps, startRelay } from '../../../edge-relay/service';
import { freePort } from '../../../platform/free-port';

/** RFC 3261 timers shortened for tests: T1 200 ms puts Timer B/F (64×T1) at 12.8 s. */
export const TEST_TIMERS = { t1: 200, t2: 2000, t4: 2000, cancelWaitMs: 1000 };

/**
 * A relay for an end-to-end test: loopback, a free port, no logs, short timers,
 * asking `decision` (usually the test stack's decide URL and relay token).
 *
 * @example
 * const relay = await startTestRelay(stack, {}, { media: anchor });
 */
export async function startTestRelay(
  decision: { decideUrl: string; relayToken: string },
  extra: Partial<RelayConfigInput> = {},
  deps: RelayDeps = {},
): Promise<Relay> {
  return startRelay(
    {
      address: '127.0.0.1',
      port: await freePort(),
      decideUrl: decision.decideUrl,
      relayToken: decision.relayToken,
      logLevel: 'silent',
      timers: TEST_TIMERS,
      // Every test peer is 127.0.0.1: the fuzz and torture runs' refused INVITEs would ban the
      // calls that follow them. Flood protection has its own test (flood.e2e.test.ts).
      flood: { maxRejects: 0, windowS: 10, banS: 600, dropScanners: true },
      // The relay shares the test's event loop, which a test may block on purpose (overload.e2e).
      overloadLagMs: 0,
      // In-process relays start bound at once; the warm-up has its own test (warm-up.int.test.ts)
      // and the bundled relays of the e2e tests run it as deployed.
      warmUpCalls: 0,
      // Its own CDR spool: relays of one test file must never share one.
      dataDir: mkdtempSync(join(tmpdir(), 'tandem-relay-data-')),
      ...extra,
    },
    deps,
  );
}
