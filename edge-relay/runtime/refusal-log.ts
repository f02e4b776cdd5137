import { createLogLimiter } from '../guard/log-limiter';
import type { Logger } from '../log';
import type { Remote } from '../sip/remote';

export type RefusalLogOptions = {
  /** Refusal lines per source address and window; the rest are counted in one summary line. */
  perSource: number;
  windowMs: number;
  /** Source addresses tracked at most (guard/log-limiter.ts). */
  maxSources?: number;
  /** Counts every refusal, logged or not (the metric). */
  count?: (code: number | null, reason: string) => void;
};

/** The Call-ID of a raw message not parsed (a banned source's), read only when its line is logged. */
export function callIdIn(raw: string): string {
  return /\r\n(?:call-id|i)[ \t]*:[ \t]*([^\r\n]*)/i.exec(raw)?.[1]?.trim() ?? '';
}

/**
 * Every INVITE the relay refuses (no target tried), logged once at `info` with what an operator
 * needs to tell a misconfigured IPBX from a scanner: Call-ID, source address, port and transport,
 * the SIP code (null: dropped unanswered) and why. Rate-limited per source address so a scanner
 * cannot flood the log: past `perSource` lines in a window its refusals are only counted, and
 * one summary line gives the count when its next line is allowed or `sweep` finds the window
 * closed (the service sweeps once per window).
 *
 * @example
 * const refusals = createRefusalLog(log, { perSource: 5, windowMs: 60_000 });
 * refusals.refused(remote, 403, 'unknown_source', 'call-1@pbx', Date.now());
 */
export function createRefusalLog(log: Logger, options: RefusalLogOptions) {
  const limiter = createLogLimiter({
    perWindow: options.perSource,
    windowMs: options.windowMs,
    ...(options.maxSources ? { maxKeys: options.maxSources } : {}),
  });
  const windowS = options.windowMs / 1000;
  const summary = (source: string, suppressed: number) =>
    log.info('invite refusals not logged', { source, suppressed, window_s: windowS });
  return {
    /** One refused INVITE; `callId` is a raw message for the drops that were never parsed. */
    refused(
      source: Remote,
      code: number | null,
      reason: string,
      callId: string | { raw: string },
      now: number,
    ): void {
      options.count?.(code, reason);
      const before = limiter.take(source.address, now);
      if (before < 0) return;
      if (before > 0) summary(source.address, before);
      log.info('invite refused', {
        call_id: typeof callId === 'string' ? callId : callIdIn(callId.raw),
        source: source.address,
        port: source.port,
        transport: source.transport,
        code,
        reason,
      });
    },
    /** Summaries of the windows that closed with suppressed lines; forgets them. */
    sweep(now: number): void {
      for (const s of limiter.sweep(now)) summary(s.key, s.suppressed);
    },
  };
}
