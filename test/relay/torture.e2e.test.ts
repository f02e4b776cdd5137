import { createSocket, type Socket } from 'node:dgram';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Relay } from '../../edge-relay/service';
import { startTestStack, type TestStack } from '../support/stack';
import { basicCall, basicWorld } from './support/basic-call';
import { startTestRelay } from './support/test-relay';
import { expectedOutcome, loadTortureFixtures } from './torture-fixtures';

// Every RFC 4475 message over UDP and over TCP to a running relay (real stack behind it):
// invalid requests get their 400 (badvers 505, bext01 420, zeromf 483), nothing crashes,
// and a normal call goes through right after.
const fixtures = loadTortureFixtures();
let stack: TestStack;
let relay: Relay;

beforeAll(async () => {
  stack = await startTestStack();
  relay = await startTestRelay(stack);
});

afterAll(async () => {
  await relay?.stop();
  await stack?.stop();
});

/** The reply status the relay must send for a fixture, or undefined when any (or no) answer is fine. */
function expectedStatus(name: string): number | undefined {
  const expected = expectedOutcome[name]!;
  return expected.kind === 'reply' ? expected.status : undefined;
}

/** What ties a reply to the fixture it answers: the Call-ID, or the CSeq when there is none (insuf). */
function replyKey(raw: string): string {
  const callId = /^(?:Call-ID|i)[ \t]*:[ \t]*(.*?)[ \t]*$/im.exec(raw)?.[1];
  return callId ?? /^CSeq[ \t]*:[ \t]*(.*?)[ \t]*$/im.exec(raw)?.[1] ?? '';
}

const statusOf = (raw: string) => Number(/^SIP\/2\.0 (\d{3}) /.exec(raw)?.[1] ?? 0);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function checkReplies(replies: string[], transport: 'udp' | 'tcp') {
  for (const [name, raw] of fixtures) {
    const status = expectedStatus(name);
    // Over TCP clerr's Content-Length (9999) promises more bytes: the relay rightly waits for them.
    if (status === undefined || (transport === 'tcp' && name === 'clerr')) continue;
    const key = replyKey(raw);
    const statuses = replies.filter((r) => replyKey(r) === key).map(statusOf);
    expect(statuses, `${name} over ${transport}`).toContain(status);
  }
}

async function relayAnswersOptions(): Promise<void> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const port = socket.address().port;
  const answered = new Promise<string>((r) => socket.once('message', (m) => r(m.toString('latin1'))));
  socket.send(
    [
      `OPTIONS sip:127.0.0.1:${relay.ports.udp} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKalive${port}`,
      'Max-Forwards: 70',
      `From: <sip:probe@127.0.0.1:${port}>;tag=p1`,
      `To: <sip:127.0.0.1:${relay.ports.udp}>`,
      `Call-ID: alive-${port}`,
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
    relay.ports.udp,
    '127.0.0.1',
  );
  const reply = await Promise.race([answered, wait(2000).then(() => 'no answer')]);
  socket.close();
  expect(reply).toMatch(/^SIP\/2\.0 200 /);
}

/**
 * zeromf's Via has no rport, so its answer goes to the Via's port 5060 (RFC 3261 18.2.2),
 * where a test may not listen; the same message with `;rport` must come back to us as 483.
 */
async function zeromfAnswer(): Promise<string> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const answered = new Promise<string>((r) => socket.once('message', (m) => r(m.toString('latin1'))));
  const raw = fixtures.get('zeromf')!.replace(';branch=z9hG4bKkdjuw2349i', ';rport;branch=z9hG4bKkdjuw2349i');
  socket.send(Buffer.from(raw, 'latin1'), relay.ports.udp, '127.0.0.1');
  const reply = await Promise.race([answered, wait(2000).then(() => 'no answer')]);
  socket.close();
  return reply;
}

describe('RFC 4475 torture messages to a running relay', () => {
  it('answers Max-Forwards 0 with 483 (zeromf)', async () => {
    expect(await zeromfAnswer()).toMatch(/^SIP\/2\.0 483 /);
  });

  it('answers every invalid request over UDP and keeps running', async () => {
    const socket = createSocket('udp4');
    const replies: string[] = [];
    socket.on('message', (m) => replies.push(m.toString('latin1')));
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    for (const raw of fixtures.values()) {
      socket.send(Buffer.from(raw, 'latin1'), relay.ports.udp, '127.0.0.1');
      await wait(20);
    }
    await wait(1500);
    socket.close();
    checkReplies(replies, 'udp');
    await relayAnswersOptions();
  });

  it('answers every invalid request over TCP (one connection each) and keeps running', async () => {
    const replies: string[] = [];
    await Promise.all(
      [...fixtures.values()].map(
        (raw) =>
          new Promise<void>((resolve) => {
            const socket = connect(relay.ports.tcp, '127.0.0.1', () =>
              socket.write(Buffer.from(raw, 'latin1')),
            );
            socket.setEncoding('latin1');
            let data = '';
            socket.on('data', (chunk: string) => {
              data += chunk;
            });
            socket.on('error', () => {});
            const done = () => {
              socket.destroy();
              // A stream may carry several responses; split them at each status line.
              replies.push(...data.split(/(?=SIP\/2\.0 \d{3} )/).filter((r) => r !== ''));
              resolve();
            };
            socket.on('close', done);
            setTimeout(done, 1500);
          }),
      ),
    );
    checkReplies(replies, 'tcp');
    await relayAnswersOptions();
  });

  it('carries a normal call right after the torture', async () => {
    const { caller } = await basicCall(relay.ports.udp, await basicWorld(stack));
    expect(caller.code, caller.output).toBe(0);
  });
});
