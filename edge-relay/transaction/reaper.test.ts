import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Reaper } from './reaper';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Reaper', () => {
  it('runs each clean-up after its delay, in order, with one timer per delay', () => {
    const reaper = new Reaper(0);
    const ran: string[] = [];
    reaper.add(100, () => ran.push('a'));
    vi.advanceTimersByTime(30);
    reaper.add(100, () => ran.push('b'));
    reaper.add(10, () => ran.push('short'));
    expect(vi.getTimerCount()).toBe(2);
    vi.advanceTimersByTime(10);
    expect(ran).toEqual(['short']);
    vi.advanceTimersByTime(59);
    expect(ran).toEqual(['short']);
    vi.advanceTimersByTime(1);
    expect(ran).toEqual(['short', 'a']);
    vi.advanceTimersByTime(30);
    expect(ran).toEqual(['short', 'a', 'b']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('runs entries due within the slack in the same wake-up, and clear() forgets everything', () => {
    const reaper = new Reaper(20);
    const ran: number[] = [];
    reaper.add(100, () => ran.push(1));
    vi.advanceTimersByTime(15);
    reaper.add(100, () => ran.push(2));
    vi.advanceTimersByTime(85);
    expect(ran).toEqual([1, 2]);
    reaper.add(100, () => ran.push(3));
    reaper.clear();
    vi.advanceTimersByTime(200);
    expect(ran).toEqual([1, 2]);
  });
});
