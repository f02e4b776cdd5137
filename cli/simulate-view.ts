import { at, cell, indent, table } from './format';

/** The parts of `POST /v1/routing/simulate`'s answer the view reads (functions/decision/http/schemas.ts). */
export type SimulateAnswer = {
  action: string;
  code?: number;
  reason?: string;
  call?: Record<string, unknown>;
  targets: Record<string, unknown>[];
  skipped: { route_id: string; provider_id: string; reason: string }[];
  max_duration_s?: number;
  caller_replaced?: { original: string; replacement: string };
  limits?: unknown[];
};

/**
 * A simulation for reading: the outcome, the call as it would be placed, the targets in the order
 * the relay tries them with why each is there, then every skipped candidate with its reason.
 *
 * @example
 * simulateView({ action: 'reject', code: 404, reason: 'no_route', targets: [], skipped: [] });
 * // 'reject 404 no_route\n\ntargets: none\n\nskipped: none'
 */
export function simulateView(answer: SimulateAnswer): string {
  const outcome = [answer.action, answer.code, answer.reason].filter((p) => p !== undefined).join(' ');
  const lines = [outcome];
  if (answer.call) {
    const c = answer.call;
    lines.push(
      `call: ${cell(c.caller)} → ${cell(c.callee)}, ${cell(c.direction)}, customer ${cell(c.customer_id)}, from ${cell(c.source_kind)} ${cell(c.source_id)}`,
    );
  }
  if (answer.caller_replaced) {
    lines.push(
      `caller replaced: ${cell(answer.caller_replaced.original)} → ${cell(answer.caller_replaced.replacement)}`,
    );
  }
  if (answer.max_duration_s !== undefined) lines.push(`max duration: ${answer.max_duration_s} s`);
  const targets = answer.targets.map((t, i) => [
    String(i + 1),
    t.provider_id !== undefined ? 'provider' : 'ipbx',
    cell(t.provider_id ?? t.ipbx_id),
    cell(at(t, 'uri')),
    cell(at(t, 'reason')),
  ]);
  lines.push(
    '',
    targets.length
      ? `targets, in order:\n${indent(table(['#', 'kind', 'id', 'uri', 'reason'], targets))}`
      : 'targets: none',
  );
  const skipped = answer.skipped.map((s) => [cell(s.provider_id), cell(s.route_id), cell(s.reason)]);
  lines.push(
    '',
    skipped.length ? `skipped:\n${indent(table(['provider', 'route', 'reason'], skipped))}` : 'skipped: none',
  );
  return lines.join('\n');
}
