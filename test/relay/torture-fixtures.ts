import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** test/fixtures/rfc4475: the 49 RFC 4475 messages, byte-exact. */
export const fixtureDir = fileURLToPath(new URL('../fixtures/rfc4475/', import.meta.url));

/** Every fixture as latin1 text (one char per byte, so the bytes survive), by name without `.dat`. */
export function loadTortureFixtures(): Map<string, string> {
  const files = readdirSync(fixtureDir)
    .filter((f) => f.endsWith('.dat'))
    .sort();
  return new Map(files.map((f) => [f.slice(0, -4), readFileSync(fixtureDir + f).toString('latin1')]));
}

/**
 * What intake (and the relay) must do with each fixture. `reply` carries the
 * status; `message` means parsed and handed to the proxy (which answers
 * zeromf with 483, unknown schemes with 416, and so on); `drop` is for
 * invalid responses.
 */
export const expectedOutcome: Record<
  string,
  { kind: 'message' } | { kind: 'drop' } | { kind: 'reply'; status: number }
> = {
  // 3.1.1 valid
  wsinv: { kind: 'message' },
  intmeth: { kind: 'message' },
  esc01: { kind: 'message' },
  escnull: { kind: 'message' },
  esc02: { kind: 'message' },
  lwsdisp: { kind: 'message' },
  longreq: { kind: 'message' },
  dblreq: { kind: 'message' },
  semiuri: { kind: 'message' },
  transports: { kind: 'message' },
  mpart01: { kind: 'message' },
  unreason: { kind: 'message' },
  noreason: { kind: 'message' },
  // 3.1.2 invalid: requests 400 (badvers 505), responses dropped
  badinv01: { kind: 'reply', status: 400 },
  clerr: { kind: 'reply', status: 400 },
  ncl: { kind: 'reply', status: 400 },
  scalar02: { kind: 'reply', status: 400 },
  scalarlg: { kind: 'drop' },
  quotbal: { kind: 'reply', status: 400 },
  ltgtruri: { kind: 'reply', status: 400 },
  lwsruri: { kind: 'reply', status: 400 },
  lwsstart: { kind: 'reply', status: 400 },
  trws: { kind: 'reply', status: 400 },
  escruri: { kind: 'reply', status: 400 },
  baddate: { kind: 'reply', status: 400 },
  regbadct: { kind: 'reply', status: 400 },
  badaspec: { kind: 'reply', status: 400 },
  baddn: { kind: 'reply', status: 400 },
  badvers: { kind: 'reply', status: 505 },
  mismatch01: { kind: 'reply', status: 400 },
  mismatch02: { kind: 'reply', status: 400 },
  bigcode: { kind: 'drop' },
  // 3.2 transaction layer
  badbranch: { kind: 'message' },
  // 3.3 application layer
  insuf: { kind: 'reply', status: 400 },
  unkscm: { kind: 'message' },
  novelsc: { kind: 'message' },
  unksm2: { kind: 'message' },
  bext01: { kind: 'reply', status: 420 },
  invut: { kind: 'message' },
  regaut01: { kind: 'message' },
  multi01: { kind: 'reply', status: 400 },
  mcl01: { kind: 'reply', status: 400 },
  bcast: { kind: 'message' },
  zeromf: { kind: 'message' },
  cparam01: { kind: 'message' },
  cparam02: { kind: 'message' },
  regescrt: { kind: 'message' },
  sdp01: { kind: 'message' },
  // 3.4 backward compatibility
  inv2543: { kind: 'message' },
};
