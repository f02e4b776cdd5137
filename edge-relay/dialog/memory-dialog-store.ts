import type { Dialog, DialogFlow, DialogStore } from './dialog';

/**
 * A copy of a string that owns its characters. Values cut from a received
 * message (Call-ID, tags) are slices that keep the whole datagram alive for as
 * long as they are referenced: for a dialog held an hour, that was most of its
 * memory. Strings are latin1 (one char per byte), so the round trip is exact.
 */
export function detached(value: string): string {
  return Buffer.from(value, 'latin1').toString('latin1');
}

/**
 * @example
 * const store = createMemoryDialogStore();
 * await store.put(dialog); await store.get(dialog.call_id);
 */
export function createMemoryDialogStore(): DialogStore {
  const dialogs = new Map<string, Dialog>();
  // Peers are few and their flows repeat (an IPBX, a provider): one shared, frozen object each.
  const flows = new Map<string, DialogFlow>();
  const flow = (f: DialogFlow): DialogFlow => {
    const key = `${f.transport}|${f.address}|${f.port}`;
    let shared = flows.get(key);
    if (!shared) {
      if (flows.size >= 10_000) flows.clear();
      shared = Object.freeze({ transport: f.transport, address: detached(f.address), port: f.port });
      flows.set(key, shared);
    }
    return shared;
  };
  return {
    get: async (callId) => dialogs.get(callId),
    put: async (dialog) => {
      // Only what in-dialog routing needs, in strings of its own (see `detached`).
      const callId = detached(dialog.call_id);
      const kept: Dialog = {
        call_id: callId,
        caller_tag: detached(dialog.caller_tag),
        ...(dialog.callee_tag !== undefined ? { callee_tag: detached(dialog.callee_tag) } : {}),
        caller: flow(dialog.caller),
        callee: flow(dialog.callee),
        cseq_offset: dialog.cseq_offset,
        media_instance: dialog.media_instance,
        started_at: dialog.started_at,
      };
      dialogs.set(callId, kept);
    },
    delete: async (callId) => {
      dialogs.delete(callId);
    },
    size: async () => dialogs.size,
  };
}
