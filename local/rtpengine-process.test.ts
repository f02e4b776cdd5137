import { describe, expect, it } from 'vitest';
import { rtpengineArgs, rtpengineInstalled } from './rtpengine-process';

describe('rtpengineArgs', () => {
  it('runs userspace only, without the system config, deleting calls at once', () => {
    const args = rtpengineArgs({
      ngPort: 2223,
      portMin: 30000,
      portMax: 30099,
      interfaceAddress: '127.0.0.1',
    });
    expect(args).toEqual(
      expect.arrayContaining([
        '--config-file=none',
        '--table=-1',
        '--foreground',
        '--interface=127.0.0.1',
        '--listen-ng=127.0.0.1:2223',
        '--port-min=30000',
        '--port-max=30099',
        '--delete-delay=0',
      ]),
    );
    expect(args.some((a) => a.startsWith('--num-threads'))).toBe(false);
    expect(rtpengineArgs({ ngPort: 1, portMin: 2, portMax: 3, interfaceAddress: 'x', threads: 1 })).toContain(
      '--num-threads=1',
    );
  });

  it('reports a missing binary', () => {
    expect(rtpengineInstalled('/nonexistent/rtpengine')).toBe(false);
  });
});
