import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Reaper } from './reaper';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Reaper', () => {
  it('runs each clean-up after its delay, in order, with one timer per delay', () => {
    const ran: string[] = [];
    const reaper = new Reaper<string>((item) => ran.push(item), 0);
    reaper.add(100, 'a');
    vi.advanceTimersByTime(30);
    reaper.add(100, 'b');
    reaper.add(10, 'short');
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
    const ran: number[] = [];
    const reaper = new Reaper<number>((item) => ran.push(item), 20);
    reaper.add(100, 1);
    vi.advanceTimersByTime(15);
    reaper.add(100, 2);
    vi.advanceTimersByTime(85);
    expect(ran).toEqual([1, 2]);
    reaper.add(100, 3);
    reaper.clear();
    vi.advanceTimersByTime(200);
    expect(ran).toEqual([1, 2]);
  });
});
