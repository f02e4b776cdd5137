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
  const text = redactQueryTokens(JSON.stringify(Object.assign({ time }, entry, { time })));
  if (entry.level === 'error') console.error(text);
  else if (entry.level === 'warn') console.warn(text);
  else console.info(text);
}

/**
 * A URL's `token=` query value replaced by `[redacted]` wherever it appears in `text`: VoIPBIN
 * clients send their api key as `?token=` (docs/voipbin-compat.md), and an error message or a
 * field quoting a request URL must not carry it into a log.
 *
 * @example
 * redactQueryTokens('GET /v1.0/routes?page_size=5&token=tdm_abc'); // 'GET /v1.0/routes?page_size=5&token=[redacted]'
 */
export function redactQueryTokens(text: string): string {
  return text.replace(/([?&]token=)[^&#\s"\\]*/gi, '$1[redacted]');
}
