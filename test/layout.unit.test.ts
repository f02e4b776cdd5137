import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layout rules of docs/design.md, checked on every import of the tree
 * (tests beside the code included): the contract and platform at the bottom,
 * the two halves apart, local tooling on top, benchmarks free of test code.
 */
const root = resolve(import.meta.dirname, '..');

/** What each top-level folder may import from this repository (its own folder always). */
const allowed: Record<string, string[]> = {
  contract: [],
  platform: [],
  functions: ['contract', 'platform'],
  'edge-relay': ['contract', 'platform'],
  // An HTTP client of the API: it shares its schemas at most, never the API's code.
  cli: ['contract', 'platform'],
  // The browser console: a client of the JSON API; it may share the contract's types, nothing else.
  console: ['contract'],
  // npm start bundles its relay thread with the relay's own build options (infra/build).
  local: ['contract', 'platform', 'functions', 'edge-relay', 'infra'],
  infra: ['contract', 'platform', 'functions', 'edge-relay'],
  bench: ['contract', 'platform', 'functions', 'edge-relay', 'local', 'infra'],
  test: ['contract', 'platform', 'functions', 'edge-relay', 'local', 'infra', 'cli'],
};

/** Inside a half: folders that must not import another. */
const forbiddenWithin: [from: string, to: string][] = [['functions/decision', 'functions/api']];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'fixtures' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx|mts|mjs)$/.test(name) ? [path] : [];
  });
}

/** Relative specifiers of static imports, re-exports and dynamic imports. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)(['"])(\.{1,2}\/[^'"]+)\1/g)];
  return specifiers.map((m) => relative(root, resolve(dirname(file), m[2]!)));
}

const edges = Object.keys(allowed).flatMap((top) =>
  sources(join(root, top)).flatMap((file) =>
    importsOf(file).map((target) => ({ from: relative(root, file), target })),
  ),
);

describe('layout', () => {
  it('reads the imports of every folder', () => {
    for (const top of ['contract', 'platform', 'functions', 'edge-relay', 'local']) {
      expect(edges.some((e) => e.from.startsWith(`${top}/`))).toBe(true);
    }
  });

  it('keeps each top-level folder to the folders below it', () => {
    const wrong = edges.filter(({ from, target }) => {
      const [fromTop] = from.split('/');
      const [toTop] = target.split('/');
      if (!fromTop || !toTop || fromTop === toTop || !(toTop in allowed)) return false;
      return !allowed[fromTop]?.includes(toTop);
    });
    expect(wrong.map((e) => `${e.from} → ${e.target}`)).toEqual([]);
  });

  it('keeps the decision from importing the configuration API', () => {
    const wrong = edges.filter(({ from, target }) =>
      forbiddenWithin.some(([a, b]) => from.startsWith(`${a}/`) && target.startsWith(`${b}/`)),
    );
    expect(wrong.map((e) => `${e.from} → ${e.target}`)).toEqual([]);
  });
});
