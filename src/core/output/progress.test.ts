import { describe, expect, it } from 'vitest';
import { MemoryStream } from '../../testing/memory-stream.js';
import { Progress } from './progress.js';

describe('Progress in plain mode (CI logs)', () => {
  it('prints a start line, at most one line per interval, and a final line with the duration', () => {
    let now = 0;
    const stream = new MemoryStream(false);
    const progress = new Progress({
      stream,
      paint: (_s, t) => t,
      interactive: false,
      plainInterval: 10_000,
      now: () => now,
    });
    progress.start('building kube-apiserver');
    now = 1_000;
    progress.update({ text: 'linking' }); // too soon after the start line
    now = 12_000;
    progress.update({ text: 'compiling', done: 3, total: 4 });
    now = 13_000;
    progress.update({ text: 'compiling', done: 4, total: 4 }); // too soon again
    now = 15_500;
    progress.succeed('kube-apiserver built');
    expect(stream.text).toBe(
      'building kube-apiserver…\nbuilding kube-apiserver: compiling 3/4 (75%)\nkube-apiserver built (15.5s)\n',
    );
  });

  it('is silent when asked (JSON mode)', () => {
    const stream = new MemoryStream(false);
    const progress = new Progress({ stream, paint: (_s, t) => t, interactive: false, silent: true });
    progress.start('x');
    progress.update({ text: 'y' });
    progress.fail();
    expect(stream.text).toBe('');
  });
});

describe('Progress on a TTY', () => {
  it('redraws one line in place and ends it with a mark', () => {
    const stream = new MemoryStream(true);
    const progress = new Progress({ stream, paint: (_s, t) => t, interactive: true, now: () => 0 });
    progress.start('rollout');
    progress.update({ text: 'web 2/3 ready', done: 2, total: 3 });
    progress.fail('rollout failed');
    expect(stream.chunks.every((chunk) => chunk.startsWith('\r\u001b[2K'))).toBe(true);
    expect(stream.text).toContain('[█████████████░░░░░░░] web 2/3 ready 2/3 (66%)');
    expect(stream.text.endsWith('✗ rollout failed (0.0s)\n')).toBe(true);
  });
});
