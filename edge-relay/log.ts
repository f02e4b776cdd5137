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

export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (l) => process.stdout.write(l),
): Logger {
  const min = order.indexOf(level);
  const at =
    (l: Exclude<LogLevel, 'silent'>) =>
    (message: string, fields?: LogFields): void => {
      if (order.indexOf(l) < min) return;
      // time, level and msg come first and are never overwritten by a field of the same name.
      const head = { time: new Date().toISOString(), level: l, msg: message };
      write(`${JSON.stringify(fields ? Object.assign({ ...head }, fields, head) : head)}\n`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
