import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intake } from '../../edge-relay/sip/intake';
import { loadTortureFixtures } from './torture-fixtures';

const fixtures = [...loadTortureFixtures().values()];
const SEED = 4475;
const RUNS = 10_000;

/** One mutation of a message; positions are fractions so they fit any length. */
const mutation = fc.oneof(
  fc.record({
    op: fc.constant('flip' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    op: fc.constant('duplicate-line' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    times: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({ op: fc.constant('drop-line' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    op: fc.constant('crlf' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    what: fc.constantFrom('\r\n', '\r\n\r\n', '\n', '\r', '\r\n ', '\r\n\t', '', '\0'),
  }),
  fc.record({ op: fc.constant('lf-only' as const) }),
  fc.record({
    op: fc.constant('huge-number' as const),
    nth: fc.nat(40),
    value: fc.constantFrom(
      '-1',
      '-999',
      '0',
      '4294967296',
      '2147483648',
      '9'.repeat(40),
      '00000000000000000001',
      '1e9',
      '0x10',
    ),
  }),
  fc.record({
    op: fc.constant('whitespace-run' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.constantFrom(1, 100, 20_000),
  }),
  fc.record({
    op: fc.constant('splice' as const),
    other: fc.nat(fixtures.length - 1),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

const pos = (s: string, at: number) => Math.min(s.length, Math.floor(at * s.length));

function apply(message: string, m: Mutation): string {
  const lines = () => message.split('\r\n');
  switch (m.op) {
    case 'flip': {
      const i = pos(message, m.at);
      return message.slice(0, i) + String.fromCharCode(m.byte) + message.slice(i + 1);
    }
    case 'truncate':
      return message.slice(0, pos(message, m.at));
    case 'duplicate-line': {
      const all = lines();
      const i = Math.min(all.length - 1, Math.floor(m.at * all.length));
      all.splice(i, 0, ...Array(m.times).fill(all[i] ?? ''));
      return all.join('\r\n');
    }
    case 'drop-line': {
      const all = lines();
      all.splice(Math.floor(m.at * all.length), 1);
      return all.join('\r\n');
    }
    case 'crlf': {
      const i = pos(message, m.at);
      return message.slice(0, i) + m.what + message.slice(i);
    }
    case 'lf-only':
      return message.replaceAll('\r\n', '\n');
    case 'huge-number': {
      let n = 0;
      return message.replace(/\d+/g, (d) => (n++ === m.nth ? m.value : d));
    }
    case 'whitespace-run': {
      const i = pos(message, m.at);
      return message.slice(0, i) + ' '.repeat(m.length) + message.slice(i);
    }
    case 'splice': {
      const other = fixtures[m.other]!;
      return message.slice(0, pos(message, m.at)) + other.slice(pos(other, m.at));
    }
  }
}

function assertWellFormed(raw: string): 'message' | 'reply' | 'drop' {
  const started = performance.now();
  const outcome = intake(raw, { transport: 'udp', address: '192.0.2.7', port: 5060 });
  const elapsed = performance.now() - started;
  // Linear scanners: even a 60 KB message takes far less than this.
  expect(elapsed).toBeLessThan(250);
  switch (outcome.kind) {
    case 'message': {
      const keys = new Set(outcome.message.headers.map((h) => h.key));
      for (const key of ['via', 'from', 'to', 'call-id', 'cseq']) expect(keys.has(key)).toBe(true);
      expect(outcome.message.body.length).toBeLessThanOrEqual(raw.length);
      break;
    }
    case 'reply': {
      expect(outcome.raw).toMatch(/^SIP\/2\.0 [1-6]\d\d [^\r\n]*\r\n/);
      expect(outcome.raw.endsWith('\r\nContent-Length: 0\r\n\r\n')).toBe(true);
      expect(outcome.raw).toContain('\r\nVia: ');
      for (const line of outcome.raw.slice(0, -4).split('\r\n')) expect(line).not.toMatch(/[\r\n\0]/);
      break;
    }
    case 'drop':
      expect(outcome.reason.length).toBeGreaterThan(0);
      // A caught exception would still be a drop; the fuzz run proves there is none.
      expect(outcome.reason.startsWith('intake error')).toBe(false);
      break;
    default:
      throw new Error(`unknown outcome ${JSON.stringify(outcome)}`);
  }
  return outcome.kind;
}

describe('intake fuzz (seeded)', () => {
  it(`survives ${RUNS} mutated torture messages with a well-formed outcome`, () => {
    const kinds = { message: 0, reply: 0, drop: 0 };
    fc.assert(
      fc.property(
        fc.nat(fixtures.length - 1),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (index, mutations) => {
          kinds[assertWellFormed(mutations.reduce(apply, fixtures[index]!))]++;
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    // The mutations must exercise every path, not only the drop.
    expect(kinds.message).toBeGreaterThan(RUNS * 0.05);
    expect(kinds.reply).toBeGreaterThan(RUNS * 0.2);
    expect(kinds.drop).toBeGreaterThan(RUNS * 0.02);
  });
});
