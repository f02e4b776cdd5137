import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cdr } from '../../contract/cdr';
import { type DurableFs, nodeDurableFs } from '../disk/durable-fs';
import { createLogger, type Logger } from '../log';
import type { CdrHealth } from './cdr-health';

/*
 * What the CDR tests share: a temporary spool folder, a stand-in for `POST /v1/cdrs` on a real
 * port 0, a logger that keeps its lines, a file system that counts, and a poll with a deadline.
 */

export const TOKEN = 'tdm_relay_secret_0123456789abcdef';

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-cdr-spool-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Names in a folder, sorted; [] when it does not exist. */
export function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

export function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger('debug', (line) => lines.push(line)), lines };
}

/** Resolves once `condition` holds; fails after `deadlineMs` with `what` (no timing asserted). */
export async function until(condition: () => boolean, what: string, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** One request the stand-in received. */
export type ReceivedBatch = {
  key: string | undefined;
  authorization: string | undefined;
  contentType: string | undefined;
  records: Cdr[];
  /** The test's clock when it arrived. */
  at: number;
};

export type StandInAnswer = { status: number; headers?: Record<string, string>; body?: string };

/**
 * `POST /v1/cdrs` as the API answers it: 200 `{accepted}` unless `answer` says otherwise. A
 * `null` answer holds the request without answering (a hung API).
 */
export async function startApiStandIn(
  answer: (batch: ReceivedBatch, n: number) => StandInAnswer | null = (batch) => ok(batch),
  clock: () => number = Date.now,
) {
  const requests: ReceivedBatch[] = [];
  let respond = answer;
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { cdrs: Cdr[] };
      const batch: ReceivedBatch = {
        key: request.headers['idempotency-key'] as string | undefined,
        authorization: request.headers.authorization,
        contentType: request.headers['content-type'],
        records: body.cdrs,
        at: clock(),
      };
      requests.push(batch);
      const a = respond(batch, requests.length);
      if (a === null) return; // held
      response.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/cdrs`,
    requests,
    /** Every id received, in order. */
    ids: () => requests.flatMap((r) => r.records.map((c) => c.id)),
    answerWith(next: (batch: ReceivedBatch, n: number) => StandInAnswer | null): void {
      respond = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function ok(batch: ReceivedBatch): StandInAnswer {
  return { status: 200, body: JSON.stringify({ accepted: batch.records.length }) };
}

/** The real file system, counting segment writes, fsyncs of files and of folders. */
export function countingFs(): {
  fs: DurableFs;
  counts: { writes: number; datasyncs: number; dirSyncs: number };
} {
  const counts = { writes: 0, datasyncs: 0, dirSyncs: 0 };
  const fs: DurableFs = {
    ...nodeDurableFs,
    open: async (path, flags) => {
      const file = await nodeDurableFs.open(path, flags);
      return {
        ...file,
        write: (data) => {
          counts.writes += 1;
          return file.write(data);
        },
        datasync: () => {
          counts.datasyncs += 1;
          return file.datasync();
        },
      };
    },
    syncDir: (path) => {
      counts.dirSyncs += 1;
      return nodeDurableFs.syncDir(path);
    },
  };
  return { fs, counts };
}

/** A sink's state as /healthz and /metrics read it. */
export const sampleCdrHealth: CdrHealth = {
  level: 'ok',
  spoolBytes: 2048,
  capBytes: 1024 * 1024,
  segments: 2,
  spooled: 10,
  pendingSegments: 1,
  pendingBytes: 1024,
  lastShippedAt: Date.parse('2026-12-05T10:00:00.000Z'),
  lastError: null,
  consecutiveFailures: 0,
  shipped: 8,
  rejected: { unreadable: 1, invalid: 0, refused_by_api: 2 },
  failures: { '503': 3, network: 1 },
};
