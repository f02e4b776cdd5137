import { describe, expect, it } from 'vitest';
import { sourceWarnings } from './source-warnings';

describe('sourceWarnings', () => {
  it('names each source port of a peer that sends over TCP or TLS', () => {
    const sources = [
      { cidr: '192.0.2.10', port: 5060 },
      { cidr: '192.0.2.0/24' },
      { cidr: '192.0.2.11', port: 5070 },
    ];
    expect(sourceWarnings({ transport: 'tcp', allowed_sources: sources }).map((w) => w.field)).toEqual([
      'allowed_sources.0.port',
      'allowed_sources.2.port',
    ]);
    expect(sourceWarnings({ transport: 'tls', allowed_sources: sources })[0]?.message).toMatch(
      /over tls .* port 5060/,
    );
  });

  it('says nothing over UDP or without ports', () => {
    expect(sourceWarnings({ transport: 'udp', allowed_sources: [{ port: 5060 }] })).toEqual([]);
    expect(sourceWarnings({ transport: 'tcp', allowed_sources: [{}] })).toEqual([]);
    expect(sourceWarnings({ transport: 'tcp' })).toEqual([]);
  });
});
