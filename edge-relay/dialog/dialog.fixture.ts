import type { Dialog } from './dialog';

/** A dialog as the relay stores it at a 2xx, numbered so tests tell them apart. */
export function storedDialog(n: number, startedAt: number, cdr?: string): Dialog {
  return {
    call_id: `call-${n}@pbx.example`,
    caller_tag: `a${n}`,
    callee_tag: `b${n}`,
    caller: { transport: 'udp', address: '192.0.2.10', port: 5060 },
    callee: { transport: 'tcp', address: '198.51.100.7', port: 5080 },
    cseq_offset: 1,
    media_instance: null,
    started_at: startedAt + n,
    ...(cdr !== undefined ? { cdr } : {}),
  };
}
