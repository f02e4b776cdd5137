import { describe, expect, it } from 'vitest';
import type { Dialog } from './dialog';
import { storedDialog } from './dialog.fixture';
import { createMemoryDialogStore } from './memory-dialog-store';

// Answered now: a dialog is forgotten 12 h (the default lifetime) after its answer.
const answeredAt = Date.now();
const dialog = (n: number): Dialog => storedDialog(n, answeredAt);

describe('memory dialog store', () => {
  it('keeps, finds and forgets dialogs by Call-ID', async () => {
    const store = createMemoryDialogStore();
    await store.put(dialog(1));
    await store.put(dialog(2));
    expect(await store.get('call-1@pbx.example')).toEqual(dialog(1));
    expect(await store.size()).toBe(2);
    await store.delete('call-1@pbx.example');
    expect(await store.get('call-1@pbx.example')).toBeUndefined();
    expect(await store.size()).toBe(1);
  });

  it("keeps the decision's identity headers for the callee's in-dialog requests", async () => {
    const store = createMemoryDialogStore();
    const asserted_identity = { 'P-Asserted-Identity': '<sip:+14155550100@carrier.example>' };
    await store.put({ ...dialog(1), asserted_identity });
    expect(await store.get('call-1@pbx.example')).toEqual({ ...dialog(1), asserted_identity });
  });

  it('shares one flow object between dialogs of the same peer', async () => {
    const store = createMemoryDialogStore();
    await store.put(dialog(1));
    await store.put(dialog(2));
    const [a, b] = [await store.get('call-1@pbx.example'), await store.get('call-2@pbx.example')];
    expect(a!.caller).toBe(b!.caller);
    expect(a!.callee).toBe(b!.callee);
    expect(Object.isFrozen(a!.caller)).toBe(true);
  });

  it('hides a dialog once its lifetime after the answer is over, and hands it out once to be ended', async () => {
    let clock = answeredAt;
    const store = createMemoryDialogStore({ ttlMs: 100, now: () => clock });
    await store.put({ ...dialog(1), cdr: '{"id":"r1"}' }); // answered at +1 ms
    clock = answeredAt + 60;
    await store.put({ ...dialog(2), started_at: clock });
    clock = answeredAt + 101; // dialog 1 is 100 ms old, dialog 2 41 ms
    expect(await store.get(dialog(1).call_id)).toBeUndefined();
    expect(await store.get(dialog(2).call_id)).toEqual({ ...dialog(2), started_at: answeredAt + 60 });
    // Not dropped silently: the relay ends it and closes its record.
    expect(await store.takeExpired(clock, 10)).toEqual([{ ...dialog(1), cdr: '{"id":"r1"}' }]);
    expect(await store.takeExpired(clock, 10)).toEqual([]);
    expect(await store.size()).toBe(1);
    clock = answeredAt + 170;
    await store.put({ ...dialog(3), started_at: clock });
    expect((await store.takeExpired(clock, 10)).map((d) => d.call_id)).toEqual([dialog(2).call_id]);
    expect(await store.get(dialog(3).call_id)).toBeDefined();
  });

  it('gives a dialog to one taker only', async () => {
    const store = createMemoryDialogStore();
    await store.put(dialog(1));
    const [a, b] = await Promise.all([store.take(dialog(1).call_id), store.take(dialog(1).call_id)]);
    expect([a, b].filter((d) => d !== undefined)).toEqual([dialog(1)]);
  });
});
