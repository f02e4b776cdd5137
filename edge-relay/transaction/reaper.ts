/** Entries of one delay, due in the order added; `at` holds plain doubles (no object per entry). */
type Queue<T> = { at: number[]; items: (T | undefined)[]; head: number; timer: NodeJS.Timeout | undefined };

/**
 * Ends things (a transaction's linger time) after a delay with one timer per
 * distinct delay instead of one per thing: every entry of a delay is due in the
 * order it was added, so each queue only arms a timer for its head, and entries
 * due within `slackMs` of each other are ended in one wake-up. An idle process
 * woken per transaction was most of the relay's CPU per call. An entry is the
 * thing itself and one number, not a closure: the relay holds tens of thousands
 * of them (every call's transactions linger 64*T1). Entries cannot be cancelled:
 * `end` must be harmless when the thing is already gone.
 *
 * @example
 * const reaper = new Reaper<Tx>((tx) => servers.delete(tx.key));
 * reaper.add(32_000, tx);
 */
export class Reaper<T> {
  private readonly queues = new Map<number, Queue<T>>();

  constructor(
    private readonly end: (item: T) => void,
    private readonly slackMs = 20,
  ) {}

  add(ms: number, item: T): void {
    let queue = this.queues.get(ms);
    if (!queue) {
      queue = { at: [], items: [], head: 0, timer: undefined };
      this.queues.set(ms, queue);
    }
    queue.at.push(Date.now() + ms);
    queue.items.push(item);
    if (!queue.timer) this.arm(queue, ms);
  }

  /** Forgets everything pending (the relay stops). */
  clear(): void {
    for (const queue of this.queues.values()) clearTimeout(queue.timer);
    this.queues.clear();
  }

  private arm(queue: Queue<T>, ms: number): void {
    if (queue.head >= queue.items.length) {
      queue.at = [];
      queue.items = [];
      queue.head = 0;
      queue.timer = undefined;
      return;
    }
    queue.timer = setTimeout(() => this.sweep(queue, ms), Math.max(queue.at[queue.head]! - Date.now(), 0));
  }

  private sweep(queue: Queue<T>, ms: number): void {
    const until = Date.now() + this.slackMs;
    while (queue.head < queue.items.length && queue.at[queue.head]! <= until) {
      const item = queue.items[queue.head]!;
      queue.items[queue.head] = undefined;
      queue.head++;
      this.end(item);
    }
    if (queue.head > 1024 && queue.head * 2 > queue.items.length) {
      queue.at.splice(0, queue.head);
      queue.items.splice(0, queue.head);
      queue.head = 0;
    }
    this.arm(queue, ms);
  }
}
