/**
 * Group commit: items added within one window (or until `maxItems` wait) share one `write` — for
 * the spool and the dialog journal, one write and one fdatasync — and each `add` resolves once
 * its group is written, or rejects with the group's error. Groups, and any other step given to
 * `then` (sealing a segment, compacting a journal, closing), run one after another, in order;
 * each step catches its own errors.
 *
 * @example
 * const commit = createGroupCommit({ windowMs: 50, maxItems: 256, write: async (lines) => { … } });
 * await commit.add(line); // on disk
 */
export type GroupCommit<T> = {
  add(item: T): Promise<void>;
  /** Runs `step` after everything queued before it. */
  then(step: () => Promise<void>): Promise<void>;
  /** Writes what waits now, without waiting for the window, and resolves once it is written. */
  flush(): Promise<void>;
};

export function createGroupCommit<T>(options: {
  windowMs: number;
  maxItems: number;
  /** Writes one group; throws to refuse every item of it. */
  write(items: T[]): Promise<void>;
  /** After a group's items are resolved: what the written bytes call for (seal, compaction). */
  afterWrite?(): Promise<void>;
}): GroupCommit<T> {
  let pending: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();

  const then = (step: () => Promise<void>): Promise<void> => {
    chain = chain.then(step);
    return chain;
  };
  const writeGroup = async (): Promise<void> => {
    const group = pending;
    pending = [];
    if (group.length === 0) return;
    try {
      await options.write(group.map((p) => p.item));
    } catch (error) {
      for (const p of group) p.reject(error);
      return;
    }
    for (const p of group) p.resolve();
    await options.afterWrite?.();
  };
  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    return then(writeGroup);
  };

  return {
    add(item) {
      return new Promise<void>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        if (pending.length >= options.maxItems) void flush();
        else timer ??= setTimeout(() => void flush(), options.windowMs);
      });
    },
    then,
    flush,
  };
}
