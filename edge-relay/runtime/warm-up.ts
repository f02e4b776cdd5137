import type { DecisionClient } from '../decision/decision-client';
import { isUnreachable, probeRequest } from '../decision/decision-health';
import { createSyntheticCalls } from './synthetic-calls';

/**
 * Runs `calls` synthetic calls through the relay's own call path (synthetic-calls.ts) before the
 * relay binds its ports. A fresh process otherwise runs its first calls through V8's interpreter
 * and baseline code, and the first call of each kind compiles the functions it touches: the first
 * seconds after a start answered with a p99 several times the steady one (docs/performance.md).
 * The code V8 optimizes here is the code the real calls run (the same functions, sharing type
 * feedback); nothing of it reaches the network, the log, the CDRs or the metrics.
 *
 * @example
 * await warmUpCallPath(2000); // then bind the sockets
 */
export async function warmUpCallPath(calls: number): Promise<void> {
  if (calls <= 0) return;
  const synthetic = createSyntheticCalls();
  try {
    for (let n = 0; n < calls; n++) await synthetic.call(n);
  } finally {
    synthetic.close();
  }
}

/**
 * Sends `probes` health-probe decides (decision-health.ts: a source no configuration holds, no side
 * effects), `concurrency` at a time, so the first calls find keep-alive connections open and the
 * decide client's code compiled. Gives up at `deadlineMs` (a decision that is down delays a start
 * by that much at most; the relay's health then says so) and never throws. Resolves with how many
 * the decision answered (a refusal is an answer).
 *
 * @example
 * const answered = await warmUpDecision(client, 'relay-1', { probes: 64, concurrency: 4, deadlineMs: 2000 });
 */
export async function warmUpDecision(
  client: DecisionClient,
  relayId: string,
  options: { probes: number; concurrency: number; deadlineMs: number },
): Promise<number> {
  const request = probeRequest(relayId);
  const deadline = performance.now() + options.deadlineMs;
  let sent = 0;
  let answered = 0;
  const worker = async () => {
    while (sent < options.probes && performance.now() < deadline) {
      sent++;
      try {
        await client.decide(request);
        answered++;
      } catch (error) {
        // A refusal (4xx) is an answer too, for warming; an outage ends the warm-up at the deadline.
        if (!isUnreachable(error)) answered++;
      }
    }
  };
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(Array.from({ length: options.concurrency }, worker)),
    new Promise((resolve) => {
      timer = setTimeout(resolve, options.deadlineMs);
    }),
  ]);
  clearTimeout(timer);
  return answered;
}
