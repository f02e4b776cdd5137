import { describe, expect, it } from 'vitest';
import { decrementMaxForwards, maxForwards } from './max-forwards';
import { header, withHeader, withoutHeader } from './message';
import { invite } from './test-messages';

describe('Max-Forwards', () => {
  it('is decremented when forwarding', () => {
    expect(header(decrementMaxForwards(invite()), 'max-forwards')).toBe('69');
  });

  it('is added as 70 when missing', () => {
    const req = withoutHeader(invite(), 'max-forwards');
    expect(maxForwards(req)).toBe(70);
    expect(header(decrementMaxForwards(req), 'max-forwards')).toBe('70');
  });

  it('reads 0 (the proxy answers 483)', () => {
    expect(maxForwards(withHeader(invite(), 'Max-Forwards', '0'))).toBe(0);
  });
});
