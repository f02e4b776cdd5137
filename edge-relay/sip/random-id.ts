import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/**
 * `bytes` bytes from the OS CSPRNG as hex. Drawn from a pooled buffer that is
 * refilled 4 KB at a time: one kernel call per few hundred ids instead of one
 * per id (branches and tags are made for every message the relay originates).
 *
 * @example
 * randomHex(8); // '9c0e4f...' (16 hex chars)
 */
export function randomHex(bytes: number): string {
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return out;
}
