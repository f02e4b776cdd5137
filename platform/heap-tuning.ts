import { setFlagsFromString } from 'node:v8';

/**
 * Turns off V8's allocation-site pretenuring for this process: for the
 * long-running servers on a call's path (the edge relay, the decision's node
 * server), not for a Lambda, which serves one request at a time.
 *
 * A call's set-up objects come from the same few allocation sites as state
 * that outlives a young-generation cycle (a dialog, a keep-alive connection's
 * request), so V8 decides those sites make long-lived objects and allocates
 * them straight into the old generation. Everything a pretenured object
 * points to (the parsed INVITE, the decision, their timers and promises) then
 * survives every young collection until the next full GC, though it is dead
 * milliseconds later. With the flag off, young collections promote about a
 * third as much and pause about half as long (figures in docs/performance.md).
 *
 * V8 reads the flag at every collection, so setting it at start-up (before
 * any call) is enough; it changes nothing but where objects are first placed.
 */
export function tuneHeapForCalls(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
