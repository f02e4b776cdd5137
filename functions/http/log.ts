/** What a log line says: its level, its message and any fields (never request data or secrets). */
export type LogEntry = { level: 'info' | 'warn' | 'error'; msg: string } & Record<string, unknown>;

/**
 * The functions' one JSON log line: `time` (ISO 8601, UTC) first, then level, message and fields,
 * on the console method of its level (Lambda and CloudWatch keep them as they are written).
 *
 * @example
 * logLine({ level: 'warn', msg: 'decision: version bump failed', error: 'timeout' });
 * // {"time":"2026-01-05T10:00:00.000Z","level":"warn","msg":"decision: version bump failed","error":"timeout"}
 */
export function logLine(entry: LogEntry): void {
  // time first, and never overwritten by a field of the same name.
  const time = new Date().toISOString();
  const text = JSON.stringify(Object.assign({ time }, entry, { time }));
  if (entry.level === 'error') console.error(text);
  else if (entry.level === 'warn') console.warn(text);
  else console.info(text);
}
