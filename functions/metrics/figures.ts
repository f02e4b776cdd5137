/**
 * The functions' figures, recorded once where they happen and handed to every sink installed:
 * Prometheus on the Node server (registry.ts), CloudWatch embedded-metric-format lines on
 * Lambda (lambda-emf.ts). This file imports no metrics library, so a Lambda bundle carries none.
 * Label values are bounded by the callers: route templates, the decision's own reason names.
 */
export type Figure =
  | { kind: 'request'; method: string; route: string; status: number; seconds: number }
  | { kind: 'decision'; action: string; reason: string; seconds: number }
  | { kind: 'snapshot_compile'; type: 'build' | 'refresh'; seconds: number }
  | { kind: 'snapshot_lookup'; result: 'hit' | 'check' | 'build' }
  | { kind: 'cache_error'; type: 'cache_down' | 'refresh_failed' };

export type FigureSink = (figure: Figure) => void;

const sinks: FigureSink[] = [];
let snapshotCheckedAt: (() => number | undefined) | undefined;

/** Adds a sink (once per process: the Node server's Prometheus registry, a Lambda's EMF batch). */
export function addFigureSink(sink: FigureSink): void {
  if (!sinks.includes(sink)) sinks.push(sink);
}

/** Hands one figure to every sink; nothing to do (and no allocation kept) without one. */
export function record(figure: Figure): void {
  for (const sink of sinks) sink(figure);
}

/** Whether any sink listens (callers skip building a figure otherwise). */
export const recording = (): boolean => sinks.length > 0;

/** Points the snapshot age at a decision's loader: the last one wired in the process. */
export function watchSnapshotAge(checkedAt: () => number | undefined): void {
  snapshotCheckedAt = checkedAt;
}

/** Seconds since the decision last knew its snapshot current; undefined before its first build. */
export function snapshotAgeSeconds(now = Date.now()): number | undefined {
  const at = snapshotCheckedAt?.();
  return at === undefined || at <= 0 ? undefined : Math.max(0, (now - at) / 1000);
}

/** A reason as a label value: the decision's own names (`no_route`); anything else is `other`. */
const REASON = /^[a-z0-9_]{1,64}$/;
const MAX_REASONS = 64;
const reasons = new Set<string>();
export function boundedReason(reason: string): string {
  if (!REASON.test(reason)) return 'other';
  if (reasons.has(reason)) return reason;
  if (reasons.size >= MAX_REASONS) return 'other';
  reasons.add(reason);
  return reason;
}
