import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The console's palette (console/app.css custom properties), checked against WCAG 2 AA. */
const css = readFileSync(resolve(import.meta.dirname, '../../console/app.css'), 'utf8');
const palette = Object.fromEntries(
  [...css.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1]!, m[2]!]),
);

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG contrast ratio of two colours. */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** Every pair the stylesheet draws text (or a focus ring) of one colour on the other. */
const pairs: [fg: string, bg: string][] = [
  ['text', 'bg'],
  ['text', 'surface'],
  ['muted', 'bg'],
  ['muted', 'surface'],
  ['primary', 'bg'],
  ['on-primary', 'primary'],
  ['danger', 'bg'],
  ['danger', 'surface'],
  ['on-danger', 'danger'],
  ['ok', 'bg'],
  ['down', 'bg'],
  ['on-header', 'header'],
  ['header', 'bg'],
  ['primary', 'surface'],
  ['focus', 'bg'],
];

describe('console palette', () => {
  it('gives every text colour a contrast of at least 4.5:1 on its background', () => {
    const low = pairs
      .map(([fg, bg]) => ({ pair: `${fg} on ${bg}`, ratio: contrast(palette[fg]!, palette[bg]!) }))
      .filter((p) => !(p.ratio >= 4.5));
    expect(Object.keys(palette).length).toBeGreaterThan(10);
    expect(low).toEqual([]);
  });

  it('computes the WCAG ratio (black on white is 21:1)', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
  });
});
