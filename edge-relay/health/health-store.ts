import type { AttemptCounts, ProviderState } from './health-rules';

/** What every relay reads of the site each second. */
export type SiteView = {
  /** The site's states as the leader last wrote them. */
  states: ReadonlyMap<string, ProviderState>;
  /**
   * Passive marks the leader has not merged yet: provider id → the mark's token. A reader counts a
   * marked provider as down, so a mark holds between the relay that set it and the leader's merge.
   */
  marks: ReadonlyMap<string, string>;
};

/** The leader's write: states to store, providers to forget, marks it merged into the states. */
export type Commit = {
  states: ReadonlyMap<string, ProviderState>;
  removed: readonly string[];
  /** Provider id → the token read: a mark set again since (another token) stays for the next merge. */
  merged: ReadonlyMap<string, string>;
};

/**
 * Where the site's provider health lives: Redis shared by the relays of a site
 * (redis-health-store.ts) or this relay's memory when it is alone (memory-health-store.ts). Every
 * method of the Redis one throws while Redis does not answer; the caller keeps what it knew.
 */
export type HealthStore = {
  /** Takes or keeps the leader lease: true while this relay is the one that probes and writes. */
  lead(): Promise<boolean>;
  /** Gives the lease up so another relay takes over at once (a clean stop). */
  resign(): Promise<void>;
  read(): Promise<SiteView>;
  /** Leader only, atomic: false (nothing written) when this relay no longer holds the lease. */
  commit(commit: Commit): Promise<boolean>;
  /**
   * One failed real attempt of a provider: adds one to the site's streak; reaching `threshold`
   * sets a mark, restarts the streak and answers true (exactly one relay sees true per streak).
   */
  attemptFailed(providerId: string, threshold: number): Promise<boolean>;
  /** Any other final answer of a provider: its streak ends. */
  attemptAnswered(providerId: string): Promise<void>;
  /** Sets a mark of this relay's own (a streak it counted alone while the store did not answer). */
  mark(providerId: string): Promise<void>;
  /** Adds this relay's attempt counts of one bucket (see health-rules.ts). */
  addAttempts(bucket: number, counts: ReadonlyMap<string, AttemptCounts>): Promise<void>;
  /** The site's attempt counts per provider over buckets `from`..`to` (inclusive). */
  attempts(from: number, to: number): Promise<Map<string, AttemptCounts>>;
  close(): Promise<void>;
};

/** Keys of the site's provider health under a key prefix (the relays of a site share the prefix). */
export function healthKeys(prefix: string) {
  return {
    /** The leader lease: the leading relay's id, with a TTL. */
    leader: `${prefix}health:leader`,
    /** provider id → ProviderState JSON; written by the leader only. */
    state: `${prefix}health:state`,
    /** provider id → consecutive failed attempts seen by the site (passive health). */
    passive: `${prefix}health:passive`,
    /** provider id → token of a passive mark not merged yet by the leader. */
    marks: `${prefix}health:marks`,
    /** `<field>|t` and `<field>|s`: attempts and succeeded ones of one 10 s bucket. */
    attempts: (bucket: number) => `${prefix}health:attempts:${bucket}`,
  };
}

export const addCounts = (into: Map<string, AttemptCounts>, id: string, add: AttemptCounts): void => {
  const counts = into.get(id);
  if (counts) {
    counts.total += add.total;
    counts.succeeded += add.succeeded;
  } else into.set(id, { ...add });
};
