/** How full the spool is: `filling` from 80 % of the cap, `full` at the cap (new records refused). */
export type SpoolLevel = 'ok' | 'filling' | 'full';

/** Share of the cap from which the spool reports `filling`: an early warning while calls still go on. */
export const FILLING_SHARE = 0.8;

export function spoolLevel(bytes: number, capBytes: number): SpoolLevel {
  if (bytes >= capBytes) return 'full';
  if (bytes >= capBytes * FILLING_SHARE) return 'filling';
  return 'ok';
}

/**
 * Share of the cap from which the relay refuses new calls: a little below the cap, so the calls
 * already up still have room for their records when they end.
 */
export const CALLS_REFUSED_SHARE = 0.95;

export const refusesCalls = (bytes: number, capBytes: number) => bytes >= capBytes * CALLS_REFUSED_SHARE;

/** The level as a number for the `tandem_cdr_spool_level` gauge. */
export const SPOOL_LEVEL_VALUE: Record<SpoolLevel, number> = { ok: 0, filling: 1, full: 2 };
