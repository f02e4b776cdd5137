import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second for /proc/<pid>/stat utime/stime (100 on Linux x86_64). */
const CLK_TCK = 100;

/** A process and all its descendants (Kamailio forks one process per worker). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process exited while we listed /proc.
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(root);
  return out;
}

/** User + system CPU seconds used so far by these processes. */
export function cpuSeconds(pids: readonly number[]): number {
  const { user, system } = cpuUserSystem(pids);
  return user + system;
}

/** User and system (kernel: for a UDP proxy mostly the loopback send path) CPU seconds apart. */
export function cpuUserSystem(pids: readonly number[]): { user: number; system: number } {
  let user = 0;
  let system = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      user += Number(fields[11]);
      system += Number(fields[12]);
    } catch {
      // Gone: its CPU time is lost, which only happens at shutdown.
    }
  }
  return { user: user / CLK_TCK, system: system / CLK_TCK };
}

/**
 * Memory of these processes in MB: PSS (shared pages split between sharers, so
 * Kamailio's shared memory is counted once across its workers) and summed RSS.
 */
export function memoryMb(pids: readonly number[]): { pss: number; rss: number } {
  let pss = 0;
  let rss = 0;
  for (const pid of pids) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    } catch {
      // Gone or not readable.
    }
  }
  return { pss: pss / 1024, rss: rss / 1024 };
}

/** Pids whose command name is `comm` (e.g. every sipp process). */
export function pidsByName(comm: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) out.push(Number(entry));
    } catch {
      // Exited while listed.
    }
  }
  return out;
}

/**
 * Idle CPU seconds of the whole machine (all cores) from /proc/stat. Busy time is derived from it
 * and the wall clock (cores × seconds − idle): on this tickless VM the idle counter is exact, while
 * the user/system counters are tick samples that miss short bursts between idle periods.
 */
export function machineIdleSeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return ((fields[3] ?? 0) + (fields[4] ?? 0)) / CLK_TCK;
}
