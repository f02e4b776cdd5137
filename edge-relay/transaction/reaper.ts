type Queue = { items: { at: number; run: () => void }[]; head: number; timer: NodeJS.Timeout | undefined };

/**
 * Runs clean-ups (end of a transaction's linger time) after a delay with one
 * timer per distinct delay instead of one per transaction: every entry of a
 * delay is due in the order it was added, so each queue only arms a timer for
 * its head, and entries due within `slackMs` of each other run in one wake-up.
 * An idle process woken per transaction was most of the relay's CPU per call.
 * Entries cannot be cancelled: `run` must be harmless when the thing is gone.
 *
 * @example
 * const reaper = new Reaper();
 * reaper.add(32_000, () => servers.delete(key));
 */
export class Reaper {
  private readonly queues = new Map<number, Queue>();

  constructor(private readonly slackMs = 20) {}

  add(ms: number, run: () => void): void {
    let queue = this.queues.get(ms);
    if (!queue) {
      queue = { items: [], head: 0, timer: undefined };
      this.queues.set(ms, queue);
    }
    queue.items.push({ at: Date.now() + ms, run });
    if (!queue.timer) this.arm(queue, ms);
  }

  /** Forgets everything pending (the relay stops). */
  clear(): void {
    for (const queue of this.queues.values()) clearTimeout(queue.timer);
    this.queues.clear();
  }

  private arm(queue: Queue, ms: number): void {
    const head = queue.items[queue.head];
    if (!head) {
      queue.items = [];
      queue.head = 0;
      queue.timer = undefined;
      return;
    }
    queue.timer = setTimeout(() => this.sweep(queue, ms), Math.max(head.at - Date.now(), 0));
  }

  private sweep(queue: Queue, ms: number): void {
    const until = Date.now() + this.slackMs;
    while (queue.head < queue.items.length && queue.items[queue.head]!.at <= until) {
      const item = queue.items[queue.head]!;
      queue.items[queue.head] = undefined as never;
      queue.head++;
      item.run();
    }
    if (queue.head > 1024 && queue.head * 2 > queue.items.length) {
      queue.items.splice(0, queue.head);
      queue.head = 0;
    }
    this.arm(queue, ms);
  }
}
