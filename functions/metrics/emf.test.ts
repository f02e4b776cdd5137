import { describe, expect, it } from 'vitest';
import { emfLines } from './emf';

const T = 1_767_225_600_000;

describe('embedded metric format lines', () => {
  it('writes one line per dimension set: counts summed, durations as a list, the Tandem namespace', () => {
    const lines = emfLines(
      'api',
      [
        { kind: 'request', method: 'GET', route: '/v1/customers/:id', status: 200, seconds: 0.004 },
        { kind: 'request', method: 'GET', route: '/v1/customers/:id', status: 200, seconds: 0.002 },
        { kind: 'request', method: 'POST', route: '/v1/customers', status: 400, seconds: 0.001 },
      ],
      T,
    ).map((l) => JSON.parse(l));
    expect(lines).toEqual([
      {
        _aws: {
          Timestamp: T,
          CloudWatchMetrics: [
            {
              Namespace: 'Tandem',
              Dimensions: [['Function', 'Route', 'Status']],
              Metrics: [
                { Name: 'Requests', Unit: 'Count' },
                { Name: 'RequestDuration', Unit: 'Milliseconds' },
              ],
            },
          ],
        },
        Function: 'api',
        Route: 'GET /v1/customers/:id',
        Status: '200',
        Requests: 2,
        RequestDuration: [4, 2],
      },
      expect.objectContaining({
        Route: 'POST /v1/customers',
        Status: '400',
        Requests: 1,
        RequestDuration: 1,
      }),
    ]);
  });

  it('names decisions by action and reason, the snapshot figures and its age', () => {
    const lines = emfLines(
      'decision',
      [
        { kind: 'snapshot_lookup', result: 'build' },
        { kind: 'snapshot_compile', type: 'build', seconds: 0.25 },
        { kind: 'decision', action: 'reject', reason: 'no_route', seconds: 0.0005 },
        { kind: 'cache_error', type: 'cache_down' },
      ],
      T,
      3,
    ).map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: unknown[] } });
    const byMetric = (name: string) => lines.find((l) => name in l)!;
    expect(byMetric('SnapshotLookups')).toMatchObject({
      Function: 'decision',
      Result: 'build',
      SnapshotLookups: 1,
    });
    expect(byMetric('SnapshotCompileTime')).toMatchObject({ Kind: 'build', SnapshotCompileTime: 250 });
    expect(byMetric('Decisions')).toMatchObject({
      Action: 'reject',
      Reason: 'no_route',
      Decisions: 1,
      DecideDuration: 0.5,
    });
    expect(byMetric('CacheErrors')).toMatchObject({ Kind: 'cache_down', CacheErrors: 1 });
    expect(byMetric('SnapshotAge')).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'Tandem',
            Dimensions: [['Function']],
            Metrics: [{ Name: 'SnapshotAge', Unit: 'Seconds' }],
          },
        ],
      },
      SnapshotAge: 3,
    });
  });

  it('writes nothing for an invocation without figures', () => {
    expect(emfLines('cdr', [], T)).toEqual([]);
  });
});
