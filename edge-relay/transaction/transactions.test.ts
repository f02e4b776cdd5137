import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseMessage, type SipRequest, type SipResponse, serialize, withPrepended } from '../sip/message';
import { makeResponse } from '../sip/response';
import { invite, responseTo } from '../sip/test-messages';
import type { Destination, SipTransport } from '../transport/sip-transport';
import { Transactions } from './transactions';

function fakeTransport() {
  const sent: { to: Destination; raw: string }[] = [];
  const transport: SipTransport = {
    ports: { udp: 5060, tcp: 5060 },
    send: (to, raw) => sent.push({ to, raw }),
    hasConnection: () => false,
    closeConnection: () => {},
    close: async () => {},
  };
  const methods = () => sent.map((s) => s.raw.split(' ')[s.raw.startsWith('SIP/') ? 1 : 0]);
  return { transport, sent, methods };
}

const udp: Destination = { transport: 'udp', host: '203.0.113.1', port: 5060 };
const source = { transport: 'udp' as const, address: '198.51.100.7', port: 5070 };
const ours = (): SipRequest =>
  withPrepended(invite(), 'Via', ['SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKours;rport']);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('client INVITE transaction', () => {
  it('retransmits over UDP until a provisional (Timer A), then stops', () => {
    const t = fakeTransport();
    const tx = new Transactions(t.transport, { t1: 500, t2: 4000, t4: 5000 });
    tx.request(ours(), udp, () => {});
    vi.advanceTimersByTime(1600); // 500 + 1000
    expect(t.methods()).toEqual(['INVITE', 'INVITE', 'INVITE']);
    tx.receiveResponse(responseTo(ours(), 180, { toTag: 'x' }));
    vi.advanceTimersByTime(10_000);
    expect(t.methods()).toHaveLength(3);
    tx.close();
  });

  it('ACKs a non-2xx final hop by hop and absorbs its retransmission', () => {
    const t = fakeTransport();
    const tx = new Transactions(t.transport, { t1: 500, t2: 4000, t4: 5000 });
    const got: SipResponse[] = [];
    tx.request(ours(), udp, (r) => got.push(r));
    const busy = responseTo(ours(), 486, { toTag: 'x' });
    tx.receiveResponse(busy);
    tx.receiveResponse(busy);
    expect(got.map((r) => r.status)).toEqual([486]);
    const acks = t.sent.filter((s) => s.raw.startsWith('ACK'));
    expect(acks).toHaveLength(2);
    expect(acks[1]!.raw).toBe(acks[0]!.raw); // the same ACK, though the request itself is let go
    const ack = parseMessage(acks[0]!.raw)!;
    expect(serialize(ack)).toContain('Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKours;rport\r\n');
    expect(serialize(ack)).toContain('To: <sip:+8210@192.0.2.1>;tag=x');
    tx.close();
  });

  it('turns silence into a 408 after 64*T1 (Timer B)', () => {
    const t = fakeTransport();
    const tx = new Transactions(t.transport, { t1: 10, t2: 40, t4: 50 });
    const got: number[] = [];
    tx.request(ours(), udp, (r) => got.push(r.status));
    vi.advanceTimersByTime(640);
    expect(got).toEqual([408]);
  });

  it('waits for a provisional before sending CANCEL (RFC 3261 §9.1)', () => {
    const t = fakeTransport();
    const tx = new Transactions(t.transport, { t1: 500, t2: 4000, t4: 5000 });
    tx.request(ours(), udp, () => {});
    tx.cancel('z9hG4bKours');
    expect(t.methods()).toEqual(['INVITE']);
    tx.receiveResponse(responseTo(ours(), 180, { toTag: 'x' }));
    expect(t.methods()).toEqual(['INVITE', 'CANCEL']);
    expect(t.sent[1]!.raw).toContain('branch=z9hG4bKours');
    tx.close();
  });
});

describe('server transactions', () => {
  it('answers a retransmitted INVITE with the last response and absorbs the ACK of a non-2xx', () => {
    const t = fakeTransport();
    const tx = new Transactions(t.transport, { t1: 500, t2: 4000, t4: 5000 });
    const req = invite();
    expect(tx.receive(req, source)).toBe('new');
    const server = tx.createServer(req, source);
    tx.respond(server, makeResponse(req, 100));
    expect(tx.receive(req, source)).toBe('retransmission');
    expect(t.sent.map((s) => s.raw.split('\r\n')[0])).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 100 Trying']);
    tx.respond(server, makeResponse(req, 404, { toTag: 't' }));
    vi.advanceTimersByTime(500); // Timer G: the 404 again
    expect(t.sent.filter((s) => s.raw.startsWith('SIP/2.0 404'))).toHaveLength(2);
    const ack = { ...req, method: 'ACK' };
    expect(tx.receive(ack, source)).toBe('ack-absorbed');
    vi.advanceTimersByTime(10_000);
    expect(t.sent.filter((s) => s.raw.startsWith('SIP/2.0 404'))).toHaveLength(2);
    expect(t.sent.at(-1)!.to).toEqual({ transport: 'udp', host: '198.51.100.7', port: 5070 });
    tx.close();
  });

  it('answers a CANCEL with 200 and tells the INVITE owner; an unknown CANCEL is reported', () => {
    const t = fakeTransport();
    const tx = new Transactions(t.transport, { t1: 500, t2: 4000, t4: 5000 });
    const req = invite();
    const server = tx.createServer(req, source);
    const cancelled = vi.fn();
    server.onCancel = cancelled;
    const cancel = {
      ...req,
      method: 'CANCEL',
      headers: req.headers.map((h) => (h.key === 'cseq' ? { ...h, value: '1 CANCEL' } : h)),
    };
    expect(tx.receive(cancel, source)).toBe('cancel');
    expect(cancelled).toHaveBeenCalledOnce();
    expect(t.sent[0]!.raw).toMatch(/^SIP\/2\.0 200 OK[\s\S]*CSeq: 1 CANCEL/);
    const other = {
      ...cancel,
      headers: cancel.headers.map((h) =>
        h.key === 'via' ? { ...h, value: 'SIP/2.0/UDP x;branch=z9hG4bKzz' } : h,
      ),
    };
    expect(tx.receive(other, source)).toBe('cancel-unknown');
    tx.close();
  });

  it('keeps only a tombstone after an INVITE 2xx (RFC 6026): retransmissions absorbed, ACK and CANCEL matched, gone after 64*T1', () => {
    const t = fakeTransport();
    const tx = new Transactions(t.transport, { t1: 10, t2: 40, t4: 50 });
    const req = invite();
    const server = tx.createServer(req, source);
    const cancelled = vi.fn();
    server.onCancel = cancelled;
    tx.respond(server, makeResponse(req, 200, { toTag: 't' }));
    expect(server.last?.status).toBe(200);
    expect(tx.receive(req, source)).toBe('retransmission');
    expect(t.sent).toHaveLength(1); // absorbed: the UAS core retransmits its 2xx itself
    expect(tx.receive({ ...req, method: 'ACK' }, source)).toBe('new'); // ACK for 2xx: end to end
    const cancel = {
      ...req,
      method: 'CANCEL',
      headers: req.headers.map((h) => (h.key === 'cseq' ? { ...h, value: '1 CANCEL' } : h)),
    };
    expect(tx.receive(cancel, source)).toBe('cancel');
    expect(cancelled).not.toHaveBeenCalled();
    tx.respond(server, makeResponse(req, 200, { toTag: 't' })); // a 2xx retransmission passes through
    expect(t.sent.filter((s) => s.raw.startsWith('SIP/2.0 200')).length).toBe(3);
    vi.advanceTimersByTime(640 + 50);
    expect(tx.size.servers).toBe(0);
    tx.close();
  });
});

describe('client transaction after a 2xx', () => {
  it('stops retransmitting at once and lingers 64*T1; terminateInvite ends it at once', () => {
    const t = fakeTransport();
    const tx = new Transactions(t.transport, { t1: 10, t2: 40, t4: 50 });
    const got: number[] = [];
    tx.request(ours(), udp, (r) => got.push(r.status));
    tx.receiveResponse(responseTo(ours(), 200, { toTag: 'x' }));
    vi.advanceTimersByTime(100);
    expect(t.methods()).toEqual(['INVITE']);
    expect(tx.size.clients).toBe(1);
    expect(tx.receiveResponse(responseTo(ours(), 200, { toTag: 'x' }))).toBe(true);
    expect(got).toEqual([200, 200]);
    tx.terminateInvite('z9hG4bKours');
    expect(tx.size.clients).toBe(0);
    expect(tx.receiveResponse(responseTo(ours(), 200, { toTag: 'x' }))).toBe(false);
    tx.close();
  });
});

describe('non-INVITE transactions once completed', () => {
  const bye = (): SipRequest => {
    const req = invite();
    return {
      ...req,
      method: 'BYE',
      body: '',
      headers: req.headers.map((h) => (h.key === 'cseq' ? { ...h, value: '2 BYE' } : h)),
    };
  };

  it('client: delivers the first final only, absorbs retransmissions for T4 (Timer K), then is gone', () => {
    const t = fakeTransport();
    const tx = new Transactions(t.transport, { t1: 10, t2: 40, t4: 50 });
    const out = withPrepended(bye(), 'Via', ['SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKbye;rport']);
    const got: number[] = [];
    tx.request(out, udp, (r) => got.push(r.status));
    const ok = responseTo(out, 200);
    expect(tx.receiveResponse(ok)).toBe(true);
    expect(tx.receiveResponse(ok)).toBe(true);
    expect(got).toEqual([200]);
    vi.advanceTimersByTime(100);
    expect(t.methods()).toEqual(['BYE']);
    expect(tx.size.clients).toBe(0);
    tx.close();
  });

  it('server: a retransmitted request gets the same final bytes again until 64*T1 (Timer J)', () => {
    const t = fakeTransport();
    const tx = new Transactions(t.transport, { t1: 10, t2: 40, t4: 50 });
    const req = bye();
    const server = tx.createServer(req, source);
    tx.respond(server, makeResponse(req, 200, { toTag: 't' }));
    expect(server.last?.status).toBe(200);
    expect(server.request.method).toBe('BYE');
    expect(tx.receive(req, source)).toBe('retransmission');
    expect(t.sent).toHaveLength(2);
    expect(t.sent[1]).toEqual(t.sent[0]);
    vi.advanceTimersByTime(640 + 50);
    expect(tx.size.servers).toBe(0);
    expect(tx.receive(req, source)).toBe('new');
    tx.close();
  });
});
