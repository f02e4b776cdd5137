/** RFC 3261 timer bases (T1, T2, T4), shortened in tests. */
export type TxTimers = { t1: number; t2: number; t4: number };

/** A transaction's pending retransmission and timeout timers. */
type Timed = { timers: NodeJS.Timeout[] };

/** Stops a transaction's retransmission and timeout timers. */
export function stopTimers(tx: Timed): void {
  for (const t of tx.timers) clearTimeout(t);
  tx.timers = [];
}

/** Runs `run` once after `ms`; `bucket` is the transaction's timers, so stopTimers cancels it. */
export function later(bucket: NodeJS.Timeout[], ms: number, run: () => void): void {
  bucket.push(setTimeout(run, ms));
}

/** Timer A/E/G: `first`, doubling, capped at `cap` (T2 for non-INVITE and responses); stops when `run` says so. */
export function retransmit(bucket: NodeJS.Timeout[], first: number, run: () => boolean, cap: number): void {
  const step = (interval: number) => {
    const timer = setTimeout(() => {
      const index = bucket.indexOf(timer);
      if (index >= 0) bucket.splice(index, 1);
      if (run()) step(Math.min(interval * 2, cap));
    }, interval);
    bucket.push(timer);
  };
  step(first);
}
