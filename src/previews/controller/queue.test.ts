import { describe, expect, it } from 'vitest';
import { KeyedQueue } from './queue.js';

const tick = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Work that waits until the test releases it, recording what ran. */
function gatedWork() {
  const runs: string[] = [];
  const gates = new Map<string, () => void>();
  let active = 0;
  let maxActive = 0;
  const work = async (key: string, signal: AbortSignal): Promise<void> => {
    runs.push(key);
    active += 1;
    maxActive = Math.max(maxActive, active);
    try {
      await new Promise<void>((resolve, reject) => {
        gates.set(key, resolve);
        signal.addEventListener('abort', () => {
          reject(signal.reason as Error);
        });
      });
    } finally {
      active -= 1;
    }
  };
  const release = async (key: string): Promise<void> => {
    for (let i = 0; i < 100 && !gates.has(key); i += 1) await tick();
    const gate = gates.get(key);
    gates.delete(key);
    gate?.();
    await tick();
  };
  return { runs, work, release, maxActive: () => maxActive };
}

describe('KeyedQueue', () => {
  it('coalesces adds while a key runs into exactly one more run', async () => {
    const gated = gatedWork();
    const queue = new KeyedQueue({ concurrency: 2, work: gated.work });
    queue.add('a');
    await tick();
    queue.add('a');
    queue.add('a');
    queue.add('a');
    await gated.release('a');
    await gated.release('a');
    await queue.idle();
    expect(gated.runs).toEqual(['a', 'a']);
  });

  it('queues a key once however often it is added before it starts', async () => {
    const gated = gatedWork();
    const queue = new KeyedQueue({ concurrency: 1, work: gated.work });
    queue.add('a');
    queue.add('b');
    queue.add('b');
    queue.add('c');
    queue.add('b');
    for (const key of ['a', 'b', 'c']) await gated.release(key);
    await queue.idle();
    expect(gated.runs).toEqual(['a', 'b', 'c']);
  });

  it('never runs more than the concurrency bound, and records the most at once', async () => {
    const gated = gatedWork();
    const queue = new KeyedQueue({ concurrency: 3, work: gated.work });
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    for (const key of keys) queue.add(key);
    await tick(20);
    expect(queue.stats()).toEqual({ queued: 7, running: 3, maxRunning: 3 });
    for (const key of keys) await gated.release(key);
    await queue.idle();
    expect(gated.maxActive()).toBe(3);
    expect(gated.runs.sort()).toEqual([...keys].sort());
  });

  it('cancels a running key and reports the error', async () => {
    const gated = gatedWork();
    const errors: string[] = [];
    const queue = new KeyedQueue({
      concurrency: 1,
      work: gated.work,
      onError: (key, error) => errors.push(`${key}: ${(error as Error).message}`),
    });
    queue.add('a');
    await tick();
    expect(queue.cancel('a', 'branch deleted')).toBe(true);
    await queue.idle();
    expect(errors).toEqual(['a: branch deleted']);
    expect(queue.cancel('a', 'again')).toBe(false);
  });

  it('stops: aborts what runs and takes no more work', async () => {
    const gated = gatedWork();
    const queue = new KeyedQueue({ concurrency: 1, work: gated.work, onError: () => undefined });
    queue.add('a');
    queue.add('b');
    await tick();
    await queue.stop();
    queue.add('c');
    await tick();
    expect(gated.runs).toEqual(['a']);
  });
});
