import { detached } from '../sip/detached';
import type { Dialog, DialogFlow, DialogStore } from './dialog';

export type MemoryDialogStoreOptions = {
  /**
   * A dialog is forgotten this long after its `started_at` (the answer): a call
   * whose BYE never came (both ends gone) must not stay for the life of the
   * relay. Kamailio's dialog module ends dialogs after 12 h by default, as we do.
   */
  ttlMs?: number;
  now?: () => number;
};

/** The in-memory store, with the two reads the stores built on it need beyond `DialogStore`. */
export type MemoryDialogStore = DialogStore & {
  /** The dialog held under this Call-ID, even past its lifetime (`get` hides those). */
  peek(callId: string): Dialog | undefined;
  /** Every dialog held, expired ones not yet taken included, in the order they were stored. */
  values(): IterableIterator<Dialog>;
};

/**
 * @example
 * const store = createMemoryDialogStore({ ttlMs: 12 * 3600_000 });
 * await store.put(dialog); await store.get(dialog.call_id);
 */
export function createMemoryDialogStore(options: MemoryDialogStoreOptions = {}): MemoryDialogStore {
  const { ttlMs = 12 * 3600_000, now = Date.now } = options;
  // Dialogs are stored as they are answered, so the expired ones are the first entries (an
  // adopted older one may wait behind a newer one; `get` never returns it). Expired dialogs stay
  // until takeExpired hands them to the relay, which ends them and closes their records.
  const dialogs = new Map<string, Dialog>();
  const expired = (dialog: Dialog, at: number) =>
    dialog.started_at + ttlMs <= at || (dialog.ends_at !== undefined && dialog.ends_at <= at);
  /** Dialogs with a maximum duration: they may end before older ones, so takeExpired looks at them apart. */
  const limited = new Set<string>();
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
    get: async (callId) => {
      const dialog = dialogs.get(callId);
      return dialog && !expired(dialog, now()) ? dialog : undefined;
    },
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
        // The decision's values (parsed JSON, not slices of a datagram): kept as they are.
        ...(dialog.asserted_identity ? { asserted_identity: dialog.asserted_identity } : {}),
        media_instance: dialog.media_instance,
        started_at: dialog.started_at,
        ...(dialog.cdr !== undefined ? { cdr: dialog.cdr } : {}),
        ...(dialog.ends_at !== undefined ? { ends_at: dialog.ends_at } : {}),
        ...(dialog.leases ? { leases: dialog.leases } : {}),
      };
      dialogs.set(callId, kept);
      if (kept.ends_at !== undefined) limited.add(callId);
    },
    delete: async (callId) => {
      dialogs.delete(callId);
      limited.delete(callId);
    },
    take: async (callId) => {
      const dialog = dialogs.get(callId);
      dialogs.delete(callId);
      limited.delete(callId);
      return dialog;
    },
    takeExpired: async (at, limit) => {
      const taken: Dialog[] = [];
      const take = (id: string, dialog: Dialog) => {
        dialogs.delete(id);
        limited.delete(id);
        taken.push(dialog);
      };
      for (const [id, dialog] of dialogs) {
        if (taken.length >= limit || !expired(dialog, at)) break;
        take(id, dialog);
      }
      for (const id of limited) {
        if (taken.length >= limit) break;
        const dialog = dialogs.get(id);
        if (!dialog) limited.delete(id);
        else if (expired(dialog, at)) take(id, dialog);
      }
      return taken;
    },
    /** Dialogs held, expired ones not yet taken included. */
    size: async () => dialogs.size,
    peek: (callId) => dialogs.get(callId),
    values: () => dialogs.values(),
  };
}
