import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { sleepUnlessAborted, untilAborted } from './abort.js';

describe('abort waits', () => {
  it('untilAborted resolves on abort, and at once for a signal already aborted', async () => {
    const controller = new AbortController();
    let done = false;
    const waiting = untilAborted(controller.signal).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    controller.abort();
    await waiting;
    expect(done).toBe(true);
    await untilAborted(controller.signal);
  });

  it('sleepUnlessAborted ends early on abort and leaves no listener behind', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 3; i += 1) await sleepUnlessAborted(5, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    const started = Date.now();
    const long = sleepUnlessAborted(60_000, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    await long;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
