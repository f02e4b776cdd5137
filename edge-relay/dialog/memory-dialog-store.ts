import type { Dialog, DialogStore } from './dialog';

/**
 * @example
 * const store = createMemoryDialogStore();
 * await store.put(dialog); await store.get(dialog.call_id);
 */
export function createMemoryDialogStore(): DialogStore {
  const dialogs = new Map<string, Dialog>();
  return {
    get: async (callId) => dialogs.get(callId),
    put: async (dialog) => {
      dialogs.set(dialog.call_id, dialog);
    },
    delete: async (callId) => {
      dialogs.delete(callId);
    },
    size: async () => dialogs.size,
  };
}
