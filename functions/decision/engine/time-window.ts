import type { TimeWindow } from '../../domain/route';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const formatters = new Map<string, Intl.DateTimeFormat>();

// Creating an Intl.DateTimeFormat costs tens of µs; one per zone is kept (a memo, not state).
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Local weekday index (0 = Sunday) and minute of day at `now` in an IANA zone. */
export function localTime(now: number, tz: string): { day: number; minute: number } {
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const part of formatter(tz).formatToParts(now)) {
    if (part.type === 'weekday') day = DAYS.indexOf(part.value.toLowerCase() as (typeof DAYS)[number]);
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { day, minute: hour * 60 + minute };
}

const toMinute = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/**
 * Whether `now` falls in the window. End is exclusive; `end` before `start`
 * spans midnight and belongs to the day it starts on; `start === end` is the whole day.
 *
 * @example
 * inWindow({ days: ['fri'], start: '22:00', end: '06:00', tz: 'Asia/Seoul' }, Date.parse('2026-11-27T22:30:00+09:00')); // true
 */
export function inWindow(window: TimeWindow, now: number): boolean {
  const { day, minute } = localTime(now, window.tz);
  const start = toMinute(window.start);
  const end = toMinute(window.end);
  const has = (d: number) => window.days.includes(DAYS[(d + 7) % 7]!);
  if (start === end) return has(day);
  if (start < end) return has(day) && minute >= start && minute < end;
  return (has(day) && minute >= start) || (has(day - 1) && minute < end);
}

/** No windows means always; otherwise any window. */
export function inAnyWindow(windows: readonly TimeWindow[], now: number): boolean {
  return windows.length === 0 || windows.some((w) => inWindow(w, now));
}
