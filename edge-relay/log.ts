import SonicBoom from 'sonic-boom';

/**
 * The relay's one logger: a JSON object per line with time (ISO 8601, UTC), level and message;
 * every JSON line the relay writes goes through it. Callers pass `call_id` whenever a call is
 * concerned. Never pass credentials, Authorization values or whole targets (they hold HA1s).
 *
 * @example
 * const log = createLogger('info');
 * log.info('attempt failed', { call_id: 'abc', code: 503 });
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFields = Record<string, unknown>;
export type Logger = Record<Exclude<LogLevel, 'silent'>, (message: string, fields?: LogFields) => void>;

const order: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** Writes one line; `now`: at once, not with the next batch. */
export type LineWriter = (line: string, now: boolean) => void;

/** Lines held while stdout cannot take them (a stalled log reader) before new ones are dropped. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * Lines to a file descriptor, written off the event loop in batches: process.stdout tries a
 * `write(2)` per line on the relay's thread (~25 µs a line at `info`, docs/performance.md) and
 * queues without bound behind a reader that stalls. sonic-boom (pino's destination) gathers lines
 * until 8 KiB or 100 ms and hands each batch to libuv's thread pool; behind a stalled reader it
 * holds up to 16 MiB, then drops lines rather than grow. What it holds is written out when the
 * process exits (`process.exit`, the end of the event loop, an uncaught error; not SIGKILL,
 * which loses up to 100 ms of lines).
 */
export function offThreadWriter(fd: number): LineWriter {
  const boom = new SonicBoom({
    fd,
    sync: false,
    minLength: 8192,
    periodicFlush: 100,
    maxLength: MAX_BUFFERED_BYTES,
  });
  process.once('exit', () => {
    try {
      boom.flushSync();
    } catch {
      // Nothing can be done about a closed descriptor at exit.
    }
  });
  // A log reader gone (EPIPE) loses the log, never the calls: no crash on the stream's error.
  let broken = false;
  boom.on('error', () => {
    broken = true;
  });
  // sonic-boom's flush() does nothing while a write is in flight: an urgent line asks again once
  // that write is done, so it never waits for the next 100 ms tick.
  let urgent = false;
  boom.on('write', () => {
    if (!urgent) return;
    urgent = false;
    setImmediate(() => boom.flush());
  });
  return (line, now) => {
    if (broken) return;
    boom.write(line);
    if (now) {
      urgent = true;
      boom.flush();
    }
  };
}

/** Standard output, one writer per process that every logger shares, made on the first line. */
let stdout: LineWriter | undefined;
const toStdout: LineWriter = (line, now) => {
  stdout ??= offThreadWriter(1);
  stdout(line, now);
};

/**
 * A logger at `level`, writing to standard output (or `write`). A call's lines (those with a
 * `call_id`, thousands a second) go out in batches; everything else (a state change, a warning)
 * is written at once, so what an operator watches for is never held back.
 */
export function createLogger(level: LogLevel = 'info', write?: LineWriter): Logger {
  const out = write ?? toStdout;
  const min = order.indexOf(level);
  const at =
    (l: Exclude<LogLevel, 'silent'>) =>
    (message: string, fields?: LogFields): void => {
      if (order.indexOf(l) < min) return;
      // time, level and msg come first and are never overwritten by a field of the same name.
      const head = { time: new Date().toISOString(), level: l, msg: message };
      const now = fields?.['call_id'] === undefined || l === 'warn' || l === 'error';
      out(`${JSON.stringify(fields ? Object.assign({ ...head }, fields, head) : head)}\n`, now);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
