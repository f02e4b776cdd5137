export type SourceGuardOptions = {
  /** Rejected INVITEs (403) from one address within `windowMs` that start a ban; 0 turns banning off. */
  maxRejects: number;
  windowMs: number;
  banMs: number;
  /** Addresses tracked at most; the oldest are forgotten first (a spoofed-source flood must not grow memory). */
  maxSources?: number;
};

type Source = { windowStart: number; rejects: number; bannedUntil: number };

/**
 * Flood protection per source address, fail2ban-like: a source whose INVITEs keep being
 * refused (403: unknown source, wrong password) is a scanner or a broken PBX hammering us, and
 * every refusal costs a decision. Past `maxRejects` in `windowMs` its messages are dropped
 * unanswered for `banMs` (an answer would tell the scanner it found a SIP server). Routed calls
 * (a provider's 403 included) never count, so a busy carrier trunk is never banned. Pure state
 * over an injected clock.
 *
 * @example
 * const guard = createSourceGuard({ maxRejects: 30, windowMs: 10_000, banMs: 600_000 });
 * if (guard.rejected('198.51.100.9', Date.now())) log.warn('source banned');
 * guard.banned('198.51.100.9', Date.now()); // true
 */
export function createSourceGuard(options: SourceGuardOptions) {
  const { maxRejects, windowMs, banMs, maxSources = 100_000 } = options;
  const sources = new Map<string, Source>();
  return {
    /** Counts one refused INVITE; true when this one starts a ban. */
    rejected(address: string, now: number): boolean {
      if (maxRejects <= 0) return false;
      let source = sources.get(address);
      if (!source || now - source.windowStart >= windowMs) {
        if (source?.bannedUntil && source.bannedUntil > now) return false;
        sources.delete(address);
        if (sources.size >= maxSources) sources.delete(sources.keys().next().value as string);
        source = { windowStart: now, rejects: 0, bannedUntil: 0 };
        sources.set(address, source);
      }
      source.rejects += 1;
      if (source.rejects !== maxRejects) return false;
      source.bannedUntil = now + banMs;
      return true;
    },
    banned(address: string, now: number): boolean {
      if (sources.size === 0) return false;
      const source = sources.get(address);
      if (!source || source.bannedUntil === 0) return false;
      if (source.bannedUntil > now) return true;
      sources.delete(address);
      return false;
    },
    /** Addresses banned right now. */
    bannedCount(now: number): number {
      let n = 0;
      for (const source of sources.values()) if (source.bannedUntil > now) n += 1;
      return n;
    },
  };
}

/**
 * User-Agents of SIP scanners (SIPVicious and its clones, sipcli, VaxSIP toll-fraud tools):
 * their requests are dropped unanswered, as Kamailio configurations commonly do.
 */
const SCANNERS = /friendly-scanner|sipvicious|sipcli|sip-scan|vaxsipuseragent|sundayddr|iwar\b|pplsip/i;

export function isScannerAgent(userAgent: string | undefined): boolean {
  return userAgent !== undefined && SCANNERS.test(userAgent);
}
