import type { CallTimer } from '../proxy/call';
import type { CallRuntime } from './context';

const timerKey = (timer: CallTimer, branch: string) => `${timer}|${branch}`;

/** Arms one of the call's timers (a branch has one of each kind: arming again replaces it). */
export function setCallTimer(
  call: CallRuntime,
  timer: CallTimer,
  branch: string,
  ms: number,
  fire: () => void,
): void {
  const key = timerKey(timer, branch);
  clearTimeout(call.timers.get(key));
  const expire = () => {
    call.timers.delete(key);
    fire();
  };
  call.timers.set(key, setTimeout(expire, ms));
}

export function clearCallTimer(call: CallRuntime, timer: CallTimer, branch: string): void {
  const key = timerKey(timer, branch);
  clearTimeout(call.timers.get(key));
  call.timers.delete(key);
}

export function clearCallTimers(call: CallRuntime): void {
  for (const t of call.timers.values()) clearTimeout(t);
  call.timers.clear();
}
