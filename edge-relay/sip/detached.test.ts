import { describe, expect, it } from 'vitest';
import { detached } from './detached';

describe('detached', () => {
  it('copies strings byte for byte', () => {
    const raw = 'Call-ID: \u00e9\u00ff-1234567890@host\r\n';
    const slice = raw.slice(9, raw.length - 2);
    expect(detached(slice)).toBe(slice);
    expect(detached(`${slice}|INVITE`)).toBe(`${slice}|INVITE`);
  });
});
