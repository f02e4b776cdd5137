import type { LiveCall } from '../contract/live-calls';
import { cell, table } from './format';

export type { LiveCall };

/** Seconds as `1h02m05s`, `2m05s` or `5s`. */
export function shortDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = `${String(s % 60).padStart(h || m ? 2 : 1, '0')}s`;
  if (h) return `${h}h${String(m).padStart(2, '0')}m${rest}`;
  return m ? `${m}m${rest}` : rest;
}

/**
 * Live calls as a table, oldest first, with how long each has lasted at `now` (since it was
 * answered; a call not yet answered counts from its start).
 */
export function liveCallsView(calls: readonly LiveCall[], now: Date): string {
  if (!calls.length) return 'no calls in progress';
  const rows = [...calls]
    .sort((a, b) => (a.started_at < b.started_at ? -1 : a.started_at > b.started_at ? 1 : 0))
    .map((c) => {
      const since = Date.parse(c.answered_at ?? c.started_at);
      return [
        cell(c.call_id),
        cell(c.state),
        cell(c.from),
        cell(c.to),
        cell(c.customer_id),
        cell(c.ipbx_id),
        cell(c.provider_id),
        cell(c.started_at),
        Number.isNaN(since) ? '-' : shortDuration((now.getTime() - since) / 1000),
      ];
    });
  return table(['call_id', 'state', 'from', 'to', 'customer', 'ipbx', 'provider', 'started_at', 'for'], rows);
}
