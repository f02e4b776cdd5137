import { describe, expect, it } from 'vitest';
import { createGroupCommit } from './group-commit';

describe('group commit', () => {
  it('writes what is added within one window as one group', async () => {
    const groups: number[][] = [];
    const commit = createGroupCommit<number>({
      windowMs: 20,
      maxItems: 100,
      write: async (items) => {
        groups.push(items);
      },
    });
    await Promise.all([commit.add(1), commit.add(2)]);
    await commit.add(3);
    expect(groups).toEqual([[1, 2], [3]]);
  });

  it('writes at once when maxItems wait, without waiting for the window', async () => {
    const groups: number[][] = [];
    // A window no test would wait for: only the count can start this write.
    const commit = createGroupCommit<number>({
      windowMs: 3_600_000,
      maxItems: 3,
      write: async (items) => {
        groups.push(items);
      },
    });
    await Promise.all([commit.add(1), commit.add(2), commit.add(3)]);
    expect(groups).toEqual([[1, 2, 3]]);
  });

  it('refuses every item of a failed group, runs steps in order and goes on after a failure', async () => {
    const order: string[] = [];
    let fail = true;
    const commit = createGroupCommit<string>({
      windowMs: 5,
      maxItems: 100,
      write: async (items) => {
        if (fail) throw new Error('EIO');
        order.push(...items);
      },
      afterWrite: async () => {
        order.push('after');
      },
    });
    const refused = await Promise.allSettled([commit.add('a'), commit.add('b')]);
    expect(refused.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    const written = commit.add('c');
    const step = commit.then(async () => {
      order.push('step');
    });
    await commit.flush();
    await Promise.all([written, step]);
    expect(order).toEqual(['step', 'c', 'after']);
  });
});
