/** Text output of `chartroom deploy diff`: a unified diff per object that changes, then a count. */
import type { Output } from '../core/output/index.js';
import type { DeployDiff, ObjectDiff } from '../deploy/index.js';

const marks: Record<Exclude<ObjectDiff['change'], 'unchanged'>, string> = {
  changed: '~',
  added: '+',
  removed: '-',
};

export function renderDiff(diff: DeployDiff, out: Output): void {
  const paint = out.paint;
  for (const object of diff.objects) {
    if (object.change === 'unchanged') continue;
    out.line(
      paint(
        'bold',
        `${marks[object.change]} ${object.kind} ${object.namespace}/${object.name} (${object.change})`,
      ),
    );
    for (const line of object.lines) {
      if (line.startsWith('@@')) out.line(paint('cyan', line));
      else if (line.startsWith('+')) out.line(paint('green', line));
      else if (line.startsWith('-')) out.line(paint('red', line));
      else out.line(line);
    }
    out.line();
  }
  const count = (change: ObjectDiff['change']): number =>
    diff.objects.filter((object) => object.change === change).length;
  const against =
    diff.against === null
      ? `release ${diff.release} is not installed in ${diff.namespace}: all of it is new`
      : `against ${diff.release} revision ${String(diff.against.revision)} (${diff.against.status})`;
  out.info(
    diff.changes === 0
      ? `no changes ${against}`
      : `${String(count('changed'))} changed, ${String(count('added'))} added, ${String(count('removed'))} removed, ${String(count('unchanged'))} unchanged — ${against}`,
  );
}
