import { describe, expect, it } from 'vitest';
import { memoByText } from './memo';

describe('memoByText', () => {
  it('computes once per text, undefined results included, and starts over when full', () => {
    const seen: string[] = [];
    const parse = memoByText((text) => {
      seen.push(text);
      return text.startsWith('ok') ? text.length : undefined;
    }, 2);
    expect([parse('ok1'), parse('bad'), parse('ok1'), parse('bad')]).toEqual([3, undefined, 3, undefined]);
    expect(seen).toEqual(['ok1', 'bad']);
    parse('ok22'); // the table was full: emptied, then this one kept
    parse('ok1');
    expect(seen).toEqual(['ok1', 'bad', 'ok22', 'ok1']);
  });
});
