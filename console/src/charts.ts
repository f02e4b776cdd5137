/**
 * Chart geometry as pure functions (the views draw their output as inline SVG; no chart library,
 * no CDN). Coordinates are SVG user units, y down.
 */

/** A round upper bound for an axis: 1, 2 or 5 × 10ⁿ, at least `value`; 1 for nothing. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

export type LineChart = { d: string; max: number; points: { x: number; y: number }[] };

/** A polyline through `values`, evenly spaced over `width`, scaled to `[0, niceMax]` over `height`. */
export function lineChart(values: number[], width: number, height: number): LineChart {
  const max = niceMax(Math.max(0, ...values));
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const points = values.map((v, i) => ({
    x: round(i * step),
    y: round(height - (Math.max(0, v) / max) * height),
  }));
  const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' ');
  return { d, max, points };
}

export type Bar = { label: string; value: number; width: number };

/** Horizontal bars: each `width` is its share of the largest value over `width`. */
export function barChart(items: { label: string; value: number }[], width: number): Bar[] {
  const max = Math.max(0, ...items.map((i) => i.value));
  return items.map((i) => ({ ...i, width: max > 0 ? round((i.value / max) * width) : 0 }));
}

export type TimelineAttempt = {
  tm_start: string;
  tm_provisional: string | null;
  tm_end: string;
  code: number;
  target_id: string;
};
export type TimelineCall = {
  tm_invite: string;
  tm_ringing: string | null;
  tm_answer: string | null;
  tm_end: string;
  attempts: TimelineAttempt[];
};
export type TimelineBar = {
  x: number;
  width: number;
  provisionalX: number | null;
  code: number;
  target_id: string;
};
export type Timeline = {
  totalMs: number;
  bars: TimelineBar[];
  markers: { label: 'ringing' | 'answer' | 'end'; x: number }[];
};

/**
 * A call's attempts on one time axis from its INVITE to its end, `width` units long: a bar per
 * attempt (its start to its final answer, with the first provisional answer marked), and the call's
 * ringing, answer and end.
 */
export function timeline(call: TimelineCall, width: number): Timeline {
  const start = Date.parse(call.tm_invite);
  const ends = [call.tm_end, ...call.attempts.map((a) => a.tm_end)].map(Date.parse);
  const totalMs = Math.max(1, ...ends.map((t) => t - start));
  const x = (time: string) => round(((Date.parse(time) - start) / totalMs) * width);
  const bars = call.attempts.map((a) => ({
    x: x(a.tm_start),
    width: Math.max(1, round(x(a.tm_end) - x(a.tm_start))),
    provisionalX: a.tm_provisional === null ? null : x(a.tm_provisional),
    code: a.code,
    target_id: a.target_id,
  }));
  const markers: Timeline['markers'] = [];
  if (call.tm_ringing) markers.push({ label: 'ringing', x: x(call.tm_ringing) });
  if (call.tm_answer) markers.push({ label: 'answer', x: x(call.tm_answer) });
  markers.push({ label: 'end', x: x(call.tm_end) });
  return { totalMs, bars, markers };
}

export type TierRoute = { id: string; target: string; priority: number; weight: number; enabled: boolean };
export type RouteTier<R extends TierRoute> = { target: string; routes: R[]; matches: boolean };

/**
 * A customer's routes as the decision reads them (docs/design.md, "Route selection"): one tier per
 * prefix, longest first, `all` last; inside a tier by priority, then weight (heavier first).
 * `matches`: the tier applies to `number` (its prefix starts the number, or `all`).
 */
export function routeTiers<R extends TierRoute>(routes: R[], number = ''): RouteTier<R>[] {
  const groups = new Map<string, R[]>();
  for (const r of routes) groups.set(r.target, [...(groups.get(r.target) ?? []), r]);
  const order = (t: string) => (t === 'all' ? -1 : t.length);
  return [...groups]
    .sort(([a], [b]) => order(b) - order(a) || a.localeCompare(b))
    .map(([target, list]) => ({
      target,
      routes: [...list].sort((a, b) => a.priority - b.priority || b.weight - a.weight),
      matches: number !== '' && (target === 'all' || number.startsWith(target)),
    }));
}

const round = (n: number) => Math.round(n * 10) / 10;
