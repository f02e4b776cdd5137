import type { RtpengineAddress } from '../settings/media-settings';

/** When each instance is considered down until (epoch ms); absent = up. */
export type DownUntil = ReadonlyMap<string, number>;

/** `host:port`, with IPv6 hosts in brackets: the id of an instance in results and dialogs. */
export function instanceKey(address: RtpengineAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** 32-bit FNV-1a: cheap, stable across processes, so every relay of a cluster orders alike. */
export function hashCallId(callId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < callId.length; i++) {
    hash ^= callId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function isUp(downUntil: DownUntil, key: string, now: number): boolean {
  return (downUntil.get(key) ?? 0) <= now;
}

/**
 * The instances to try, in order, for a new call: those that are up, starting
 * at the call-id's hash and wrapping round, so calls spread evenly and the
 * same call-id maps to the same instance on every relay. Down instances are
 * left out until their time is over.
 *
 * @example
 * candidatesForNewCall(['a:1', 'b:1', 'c:1'], 'call-7', new Map([['b:1', now + 5000]]), now);
 * // e.g. ['c:1', 'a:1']
 */
export function candidatesForNewCall(
  keys: readonly string[],
  callId: string,
  downUntil: DownUntil,
  now: number,
): string[] {
  if (keys.length === 0) return [];
  const start = hashCallId(callId) % keys.length;
  const rotated = [...keys.slice(start), ...keys.slice(0, start)];
  return rotated.filter((key) => isUp(downUntil, key, now));
}

/** Marks an instance down for `forMs` from `now` (returns a new map). */
export function markDown(downUntil: DownUntil, key: string, now: number, forMs: number): Map<string, number> {
  return new Map(downUntil).set(key, now + forMs);
}

/** Marks an instance up again (returns a new map). */
export function markUp(downUntil: DownUntil, key: string): Map<string, number> {
  const next = new Map(downUntil);
  next.delete(key);
  return next;
}
