import { join } from 'node:path';
import { type DurableFs, isMissing, nodeDurableFs } from '../disk/durable-fs';
import type { Logger } from '../log';
import { batchBody, batchKey, planBatches } from './cdr-batches';
import { parseSegment } from './segment-lines';
import { sealedSegmentsOldestFirst } from './segment-name';
import { appendSetAside } from './set-aside';
import {
  type BackoffSettings,
  classifyAnswer,
  failedRequest,
  refusedIndexes,
  type ShipOutcome,
  waitAfter,
} from './ship-policy';

/** Why records were set aside: not JSON, not a CDR of the contract, refused by the API (400/413). */
export type RejectReason = 'unreadable' | 'invalid' | 'refused_by_api';

/** How often the spool folder is listed when no seal woke the shipper: the fallback, not the path. */
export const POLL_MS = 3000;

export type CdrShipperOptions = {
  dir: string;
  /** `POST /v1/cdrs` of the API. */
  url: string;
  /** The relay token, sent as `Authorization: Bearer`; never logged. */
  token: string;
  batchSize: number;
  backoff: BackoffSettings;
  /** Each request is aborted after this long (then retried with backoff). */
  timeoutMs: number;
  log: Logger;
  /** A segment was sent in full and deleted (cdr-sink.ts gives its bytes back to the spool's cap). */
  onDeleted?: (segment: string, bytes: number) => void;
  /** Whether this process wrote and sealed the segment (its lines are not checked again). */
  writtenHere?: (segment: string) => boolean;
  fetch?: typeof fetch;
  fs?: DurableFs;
  now?: () => number;
  /** Waits `ms`, or less if `signal` aborts (stop); tests replace it to move a fake clock. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** In [0, 1): the backoff's jitter. */
  random?: () => number;
  pollMs?: number;
};

export type CdrShipperState = {
  /** Sealed segments on disk, not sent in full yet. */
  pendingSegments: number;
  pendingBytes: number;
  /** Epoch ms of the last batch the API acknowledged. */
  lastShippedAt: number | null;
  /** Why the last try failed; null once a batch went through. */
  lastError: string | null;
  consecutiveFailures: number;
  /** Records the API acknowledged since the start. */
  shipped: number;
  rejected: Record<RejectReason, number>;
  /** Failed requests since the start, by HTTP status or `network` / `timeout`. */
  failures: Record<string, number>;
};

export type CdrShipper = {
  state(): CdrShipperState;
  /** A segment was sealed: look now instead of at the next poll. */
  kick(): void;
  /** Aborts the request in flight and resolves once the loop has stopped; segments stay on disk. */
  stop(): Promise<void>;
};

type Segment = { name: string; bytes: number };

/**
 * Sends the spool's sealed segments to `POST /v1/cdrs`, oldest first, and deletes each once every
 * batch of it is acknowledged. Whatever is on disk at the start is sent again: that is the replay
 * after a restart, and resending what the API already stored is harmless (it keeps one record
 * per id). Failures wait with backoff; records the API refuses (400/413) are set aside in
 * `rejected/`, so a version mismatch cannot block the spool (docs/cdrs.md, "Relay spool").
 *
 * @example
 * const shipper = startCdrShipper({ dir, url, token, batchSize: 500, backoff: { minMs: 500, maxMs: 30_000 }, timeoutMs: 10_000, log });
 * spoolSealed = () => shipper.kick();
 */
export function startCdrShipper(options: CdrShipperOptions): CdrShipper {
  const { dir, log } = options;
  const fs = options.fs ?? nodeDurableFs;
  const send = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  const stopping = new AbortController();
  const sizes = new Map<string, number>(); // sealed segments seen on disk, by name
  const setAsideDone = new Set<string>(); // segments whose unreadable lines were set aside by this process
  const state: CdrShipperState = {
    pendingSegments: 0,
    pendingBytes: 0,
    lastShippedAt: null,
    lastError: null,
    consecutiveFailures: 0,
    shipped: 0,
    rejected: { unreadable: 0, invalid: 0, refused_by_api: 0 },
    failures: {},
  };
  let kicked = false;
  let wake: (() => void) | undefined;

  const scan = async (): Promise<Segment | undefined> => {
    const names = sealedSegmentsOldestFirst(await fs.readdir(dir));
    const present = new Set(names);
    for (const name of sizes.keys()) if (!present.has(name)) sizes.delete(name);
    for (const name of names) {
      if (sizes.has(name)) continue;
      try {
        sizes.set(name, await fs.size(join(dir, name)));
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
    state.pendingSegments = sizes.size;
    state.pendingBytes = [...sizes.values()].reduce((a, b) => a + b, 0);
    const oldest = names.find((n) => sizes.has(n));
    return oldest === undefined ? undefined : { name: oldest, bytes: sizes.get(oldest)! };
  };

  /** One try of one batch; the stop signal and the timeout both abort it. */
  const post = async (body: string, key: string): Promise<ShipOutcome> => {
    const request = new AbortController();
    const abort = () => request.abort();
    stopping.signal.addEventListener('abort', abort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      request.abort();
    }, options.timeoutMs);
    try {
      const response = await send(options.url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${options.token}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body,
        signal: request.signal,
        // Never follow a redirect: it would carry the token to wherever it points.
        redirect: 'manual',
      });
      const refused = response.status === 400 || response.status === 413;
      // The body is read in full either way: an unread body keeps the connection from being reused.
      const text = refused ? await response.text() : '';
      if (!refused) await response.arrayBuffer();
      return classifyAnswer(
        response.status,
        { retryAfter: response.headers.get('retry-after'), body: text },
        now(),
      );
    } catch (error) {
      return failedRequest(error, timedOut);
    } finally {
      clearTimeout(timer);
      stopping.signal.removeEventListener('abort', abort);
    }
  };

  const failed = (outcome: Exclude<ShipOutcome, { kind: 'stored' }>, key: string) => {
    state.failures[outcome.label] = (state.failures[outcome.label] ?? 0) + 1;
    state.lastError = outcome.error;
    if (outcome.kind === 'refused') return;
    state.consecutiveFailures += 1;
    const n = state.consecutiveFailures;
    const fields = { batch: key, failures: n, error: outcome.error };
    if (outcome.kind === 'misconfigured')
      log.error('cdr shipping refused: records stay in the spool', fields);
    // 1st, 2nd, 4th, 8th… failure in a row: an outage of hours stays a few lines.
    else if ((n & (n - 1)) === 0) log.warn('cdr shipping failed: will retry', fields);
  };

  const stored = (records: number) => {
    if (state.consecutiveFailures > 0) {
      log.info('cdr shipping recovered', {
        failures: state.consecutiveFailures,
        last_error: state.lastError,
      });
    }
    state.shipped += records;
    state.lastShippedAt = now();
    state.lastError = null;
    state.consecutiveFailures = 0;
  };

  /** Sets aside the records the API refused; those it did not name are sent again. */
  const refuse = async (
    segment: string,
    key: string,
    outcome: Extract<ShipOutcome, { kind: 'refused' }>,
    texts: string[],
  ): Promise<string[]> => {
    const named = refusedIndexes(outcome.problem, texts.length);
    const all = named.size === 0 || named.size === texts.length;
    const reasonOf = (i: number) => {
      const fields = outcome.problem.errors
        .filter((e) => e.field === `cdrs.${i}` || e.field.startsWith(`cdrs.${i}.`))
        .map((e) => `${e.field.slice(`cdrs.${i}.`.length) || '(record)'}: ${e.message}`);
      const why = fields.length > 0 ? fields.join('; ') : outcome.problem.detail;
      return `refused by the API (HTTP ${outcome.label}) in batch ${key}: ${why}`;
    };
    const out = texts.flatMap((text, i) => (all || named.has(i) ? [{ reason: reasonOf(i), text }] : []));
    await appendSetAside(fs, dir, segment, out);
    state.rejected.refused_by_api += out.length;
    log.error('cdr records refused by the API: set aside', {
      segment,
      batch: key,
      status: Number(outcome.label),
      records: out.length,
      detail: outcome.problem.detail,
      fields: outcome.problem.errors.slice(0, 10).map((e) => e.field),
    });
    return all ? [] : texts.filter((_, i) => !named.has(i));
  };

  /** Sends one batch until the API stores it or refuses it; false when stopped first. */
  const shipBatch = async (segment: string, index: number, batch: string[]): Promise<boolean> => {
    let texts = batch;
    for (let retry = 0; texts.length > 0; ) {
      if (stopping.signal.aborted) return false;
      const key = batchKey(segment, index, retry);
      const outcome = await post(batchBody(texts), key);
      if (stopping.signal.aborted) return false;
      if (outcome.kind === 'stored') {
        stored(texts.length);
        return true;
      }
      failed(outcome, key);
      if (outcome.kind === 'refused') {
        texts = await refuse(segment, key, outcome, texts);
        retry += 1;
        continue;
      }
      await sleep(waitAfter(outcome, state.consecutiveFailures, options.backoff, random()), stopping.signal);
      if (stopping.signal.aborted) return false;
    }
    return true;
  };

  /** Sends a sealed segment in batches, then deletes it; false when stopped first. */
  const shipSegment = async (segment: Segment): Promise<boolean> => {
    const path = join(dir, segment.name);
    let text: string;
    try {
      text = await fs.readFile(path);
    } catch (error) {
      if (isMissing(error)) return true;
      throw error;
    }
    const { records, setAside } = parseSegment(text, {
      writtenHere: options.writtenHere?.(segment.name) ?? false,
    });
    if (setAside.length > 0 && !setAsideDone.has(segment.name)) {
      await appendSetAside(
        fs,
        dir,
        segment.name,
        setAside.map((l) => ({ reason: `line ${l.line}: ${l.kind}: ${l.reason}`, text: l.text })),
      );
      setAsideDone.add(segment.name);
      const unreadable = setAside.filter((l) => l.kind === 'unreadable').length;
      state.rejected.unreadable += unreadable;
      state.rejected.invalid += setAside.length - unreadable;
      // Line numbers and reasons only: a line holds phone numbers.
      log.warn('cdr lines set aside', {
        segment: segment.name,
        lines: setAside.length,
        unreadable,
        invalid: setAside.length - unreadable,
        first: setAside.slice(0, 5).map((l) => ({ line: l.line, reason: l.reason })),
      });
    }
    const texts = records.map((r) => r.text);
    for (const batch of planBatches(texts, { maxRecords: options.batchSize })) {
      if (!(await shipBatch(segment.name, batch.index, texts.slice(batch.start, batch.end)))) return false;
    }
    await fs.unlink(path).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
    await fs.syncDir(dir);
    sizes.delete(segment.name);
    setAsideDone.delete(segment.name);
    state.pendingSegments = sizes.size;
    state.pendingBytes -= segment.bytes;
    log.debug('cdr segment shipped', { segment: segment.name, records: records.length });
    options.onDeleted?.(segment.name, segment.bytes);
    return true;
  };

  /** Until a kick, the poll interval or stop. */
  const idle = async (): Promise<void> => {
    // Stopped while scanning: an aborted signal fires no more listeners, so do not start a wait.
    if (kicked || stopping.signal.aborted) {
      kicked = false;
      return;
    }
    const poll = new AbortController();
    wake = () => poll.abort();
    const onStop = () => poll.abort();
    stopping.signal.addEventListener('abort', onStop, { once: true });
    await abortableSleep(options.pollMs ?? POLL_MS, poll.signal);
    stopping.signal.removeEventListener('abort', onStop);
    wake = undefined;
    kicked = false;
  };

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        const next = await scan();
        if (next) {
          if (!(await shipSegment(next))) break;
          continue;
        }
      } catch (error) {
        // The spool folder itself failed (disk, permissions): the records stay; try again later.
        state.consecutiveFailures += 1;
        state.lastError = `spool: ${String(error)}`;
        log.error('cdr spool could not be read or cleaned', { error: String(error) });
        await sleep(options.backoff.maxMs, stopping.signal);
        continue;
      }
      await idle();
    }
  })();

  return {
    state: () => ({ ...state, rejected: { ...state.rejected }, failures: { ...state.failures } }),
    kick(): void {
      kicked = true;
      wake?.();
    },
    async stop(): Promise<void> {
      stopping.abort();
      await loop;
    },
  };
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
