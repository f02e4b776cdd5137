import { describe, expect, it } from 'vitest';
import { type AttemptOutcome, createRelayEvents } from '../events';
import { createRelayMetrics } from './relay-metrics';

const gauges = { callsInProgress: 0, dialogs: 0, bannedSources: 0, overloaded: false, draining: false };

describe('relay metrics', () => {
  it('counts refused INVITEs by code and reason; odd reasons become other', async () => {
    const metrics = createRelayMetrics(createRelayEvents());
    try {
      metrics.rejected(403, 'unknown_source');
      metrics.rejected(403, 'unknown_source');
      metrics.rejected(403, 'auth_failed');
      metrics.rejected(503, 'overload');
      metrics.rejected(null, 'flood');
      metrics.rejected(404, 'No Route "x"');
      const text = await metrics.render(gauges);
      const lines = text.split('\n').filter((l) => l.startsWith('tandem_relay_rejects_total{'));
      expect(lines).toEqual([
        'tandem_relay_rejects_total{code="403",reason="unknown_source"} 2',
        'tandem_relay_rejects_total{code="403",reason="auth_failed"} 1',
        'tandem_relay_rejects_total{code="503",reason="overload"} 1',
        'tandem_relay_rejects_total{code="none",reason="flood"} 1',
        'tandem_relay_rejects_total{code="404",reason="other"} 1',
      ]);
      expect(text).toContain('# TYPE tandem_relay_rejects_total counter');
    } finally {
      metrics.close();
    }
  });

  it('counts received SIP messages by what intake did, zero series included', async () => {
    const metrics = createRelayMetrics(createRelayEvents());
    try {
      metrics.received({ kind: 'drop', reason: 'malformed' });
      metrics.received({ kind: 'reply', raw: 'SIP/2.0 400 Bad Request' });
      metrics.received({ kind: 'reply', raw: 'SIP/2.0 400 Bad Request' });
      const lines = (await metrics.render(gauges)).split('\n');
      expect(lines).toContain('# TYPE tandem_relay_sip_messages_total counter');
      expect(lines.filter((l) => l.startsWith('tandem_relay_sip_messages_total{'))).toEqual([
        'tandem_relay_sip_messages_total{result="accepted"} 0',
        'tandem_relay_sip_messages_total{result="replied"} 2',
        'tandem_relay_sip_messages_total{result="dropped"} 1',
      ]);
    } finally {
      metrics.close();
    }
  });

  it('observes the post-dial delay per call (failovers included) apart from each attempt', async () => {
    const events = createRelayEvents();
    const metrics = createRelayMetrics(events);
    try {
      const attempt = (code: number, pdd: number | null, at: number): AttemptOutcome => ({
        call_id: 'c1',
        target_kind: 'provider',
        target_id: 'p1',
        route_id: null,
        uri: 'sip:+1@203.0.113.1',
        code,
        cause: pdd === null ? 'no-provisional' : 'response',
        pdd_ms: pdd,
        started_at: at,
        ended_at: at + 2000,
      });
      // A dead primary for 2 s, then a target that rings after 40 ms: the caller waited 2.04 s.
      const attempts = [attempt(408, null, 0), attempt(200, 40, 2000)];
      for (const a of attempts) events.emit('attempt', a);
      events.emit('call', {
        call_id: 'c1',
        source: { transport: 'udp', address: '203.0.113.9', port: 5060 },
        status: 200,
        received_at: 0,
        ringing_at: 2040,
        answered_at: 2500,
        ended_at: 2500,
        attempts,
      });
      const lines = (await metrics.render({ ...gauges, oldestDialogAgeS: 7 })).split('\n');
      expect(lines).toContain('tandem_relay_post_dial_delay_seconds_bucket{le="2"} 0');
      expect(lines).toContain('tandem_relay_post_dial_delay_seconds_bucket{le="3"} 1');
      expect(lines).toContain('tandem_relay_post_dial_delay_seconds_sum 2.04');
      expect(lines).toContain('tandem_relay_attempt_post_dial_delay_seconds_bucket{le="0.05"} 1');
      expect(lines).toContain('tandem_relay_attempt_post_dial_delay_seconds_count 1');
      expect(lines).toContain('tandem_relay_dialog_oldest_age_seconds 7');
      expect(lines).toContain('tandem_relay_decision_unreachable 0');
    } finally {
      metrics.close();
    }
  });
});
