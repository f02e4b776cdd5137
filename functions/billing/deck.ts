import { buildPrefixTable, type PrefixTable, prefixLookup } from '../decision/engine/prefix-table';
import { inForce, type RateLine } from './rate-line';

/** A deck compiled for lookups: longest prefix, then the line in force at a time. */
export type Deck = {
  table: PrefixTable;
  /** The lines of each prefix, by the index the table holds. */
  schedules: readonly (readonly RateLine[])[];
};

/** The line that rates a number at a time, and the deck prefix it matched. */
export type MatchedRate = RateLine;

/**
 * Compiles a deck (any order, several lines per prefix allowed).
 *
 * @example
 * const deck = compileDeck([{ prefix: '+82', rate: '0.02', ...defaults }]);
 * lookupRate(deck, '+821012345678', Date.now())?.rate; // '0.02'
 */
export function compileDeck(lines: readonly RateLine[]): Deck {
  const byPrefix = new Map<string, RateLine[]>();
  for (const line of lines) {
    const schedule = byPrefix.get(line.prefix);
    if (schedule) schedule.push(line);
    else byPrefix.set(line.prefix, [line]);
  }
  const schedules: RateLine[][] = [];
  const entries: { prefix: string; value: number }[] = [];
  for (const [prefix, schedule] of byPrefix) {
    entries.push({ prefix, value: schedules.length });
    schedules.push(schedule);
  }
  return { table: buildPrefixTable(entries), schedules };
}

/**
 * The line rating `e164` at `atMs`: the longest prefix of the deck that has a line in force then.
 * A longer prefix whose lines all start later does not hide a shorter one in force.
 */
export function lookupRate(deck: Deck, e164: string, atMs: number): MatchedRate | undefined {
  return lookupRateWith(prefixLookup(e164), deck, atMs);
}

/** `lookupRate` with the number's digits read once, for many decks (prefix-table.ts). */
export function lookupRateWith(
  lookup: ReturnType<typeof prefixLookup>,
  deck: Deck,
  atMs: number,
): MatchedRate | undefined {
  const found = lookup(deck.table);
  if (!found) return undefined;
  const line = inForce(deck.schedules[found.value]!, atMs);
  if (line) return line;
  // The longest prefix is not in force yet: a shorter one may be. Rare; a plain scan down.
  for (let len = found.prefix.length - 1; len >= 2; len--) {
    const shorter = lookupShorter(deck, found.prefix.slice(0, len), atMs);
    if (shorter) return shorter;
  }
  return undefined;
}

function lookupShorter(deck: Deck, prefix: string, atMs: number): RateLine | undefined {
  const found = prefixLookup(prefix)(deck.table);
  if (!found || found.prefix !== prefix) return undefined;
  return inForce(deck.schedules[found.value]!, atMs);
}
