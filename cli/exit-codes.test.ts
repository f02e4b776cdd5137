import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeOf } from './exit-codes';

describe('exitCodeOf', () => {
  it('gives each status class a code a script can branch on', () => {
    expect(exitCodeOf(200)).toBe(EXIT.ok);
    expect(exitCodeOf(400)).toBe(EXIT.refused);
    expect(exitCodeOf(415)).toBe(EXIT.refused);
    expect(exitCodeOf(401)).toBe(EXIT.denied);
    expect(exitCodeOf(403)).toBe(EXIT.denied);
    expect(exitCodeOf(404)).toBe(EXIT.notFound);
    expect(exitCodeOf(409)).toBe(EXIT.conflict);
    expect(exitCodeOf(500)).toBe(EXIT.unavailable);
    expect(exitCodeOf(503)).toBe(EXIT.unavailable);
  });

  it('are the codes docs/operations.md documents, no more and no fewer', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../docs/operations.md'), 'utf8');
    const section = doc.slice(doc.indexOf('### Exit codes'), doc.indexOf('### Commands'));
    const documented = [...section.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    expect(documented).toEqual(Object.values(EXIT));
  });
});
