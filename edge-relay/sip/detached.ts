/**
 * A copy of a string that owns its characters. Values cut from a received
 * message (Call-ID, tags, a Via branch) are slices that keep the whole datagram
 * alive for as long as they are referenced, and a key built from them by
 * concatenation keeps its parts: whatever outlives the message (a dialog, a
 * transaction key that lingers 64*T1) stores a copy. Strings are latin1 (one
 * char per byte), so the round trip is exact.
 */
export function detached(value: string): string {
  return Buffer.from(value, 'latin1').toString('latin1');
}
