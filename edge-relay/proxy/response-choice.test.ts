import { describe, expect, it } from 'vitest';
import { makeResponse } from '../sip/response';
import { invite } from '../sip/test-messages';
import { chooseBest, upstreamStatus } from './response-choice';

const r = (status: number) => makeResponse(invite(), status);
const best = (...codes: number[]) => {
  const i = chooseBest(codes.map(r));
  return i < 0 ? 408 : codes[i];
};

describe('RFC 3261 §16.7 response choice', () => {
  it('prefers a 6xx over everything', () => expect(best(486, 603, 503)).toBe(603));
  it('takes the lowest class', () => expect(best(503, 486, 404)).toBe(486));
  it('prefers codes the caller can act on within 4xx', () => expect(best(486, 407, 404)).toBe(407));
  it('answers 408 with nothing received', () => expect(best()).toBe(408));
  it('never forwards a 503 as is', () => {
    expect(upstreamStatus(503)).toBe(500);
    expect(upstreamStatus(502)).toBe(502);
  });
});
