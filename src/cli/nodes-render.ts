/**
 * How `chartroom nodes …` results look for humans: the drain's live view and report, and the
 * audit's findings. Types only from the capability, so loading this file costs nothing.
 */
import type { Output } from '../core/output/index.js';
import type { AuditReport, DrainEvent, DrainReport } from '../nodes/index.js';

const podName = (pod: { namespace: string; name: string }): string => `${pod.namespace}/${pod.name}`;

/** One line per drain step on stderr: what is evicted, which budget blocks which pod, what is gone. */
export function drainEventLine(event: DrainEvent): string {
  switch (event.type) {
    case 'cordoned':
      return `cordoned node ${event.node}`;
    case 'planned':
      return event.deadline === undefined
        ? `evicting ${event.evict} pod(s), no deadline`
        : `evicting ${event.evict} pod(s), deadline in ${event.secondsLeft ?? 0}s (${event.deadline})`;
    case 'skipped':
      return `skip     ${podName(event.pod)}: ${event.reason}`;
    case 'warning':
      return `warning: ${event.message}`;
    case 'evicting':
      return event.shortenedFrom === undefined
        ? `evict    ${podName(event.pod)} (grace ${event.gracePeriodSeconds}s)`
        : `evict    ${podName(event.pod)} (grace cut from ${event.shortenedFrom}s to ${event.gracePeriodSeconds}s to fit the deadline)`;
    case 'blocked':
      return `blocked  ${podName(event.pod)}: ${event.message}`;
    case 'error':
      return `${event.final ? 'failed' : 'retry'}    ${podName(event.pod)}: ${event.message}`;
    case 'gone':
      return `gone     ${podName(event.pod)} after ${event.seconds.toFixed(1)}s`;
    case 'deadline':
      return `deadline reached with ${event.left} pod(s) left`;
  }
}

export function renderDrainReport(report: DrainReport, out: Output): void {
  switch (report.status) {
    case 'drained':
      out.line(
        `node ${report.node} drained in ${report.seconds.toFixed(1)}s: ${report.evicted.length} pod(s) gone, ${report.skipped.length} skipped`,
      );
      break;
    case 'dry-run':
      out.line(
        `dry run: node ${report.node} would have ${report.plan?.length ?? 0} pod(s) evicted, in this order:`,
      );
      out.table(report.plan ?? [], [
        { header: 'Pod', value: podName },
        { header: 'Grace', value: (p) => `${p.gracePeriodSeconds}s`, align: 'right' },
      ]);
      break;
    case 'refused':
      out.line(`node ${report.node} was not drained: ${report.refused.length} pod(s) need a flag`);
      out.table(report.refused, [
        { header: 'Pod', value: podName },
        { header: 'Why', value: (p) => p.reason },
      ]);
      break;
    case 'incomplete':
      out.line(
        `node ${report.node} NOT fully drained by the deadline (${report.seconds.toFixed(1)}s): ` +
          `${report.evicted.length} pod(s) gone, ${report.left.length} left`,
      );
      out.table(report.left, [
        { header: 'Pod', value: podName },
        { header: 'State', value: (p) => p.state },
        { header: 'Why', value: (p) => p.reason },
      ]);
      break;
  }
  const shortened = report.evicted.filter((p) => p.shortenedFrom !== undefined);
  if (shortened.length > 0) {
    out.line(`grace periods cut to fit the deadline: ${shortened.map(podName).join(', ')}`);
  }
}

export function renderAudit(report: AuditReport, out: Output): void {
  if (report.groups.length === 0) {
    out.line('no node groups found');
    return;
  }
  for (const group of report.groups) {
    const where = group.file === undefined ? group.source : `${group.source} ${group.file}`;
    const kind = group.spot ? 'spot' : 'on-demand';
    const findings = report.findings.filter((f) => f.group === group.name && f.source === group.source);
    const mark = findings.some((f) => f.severity === 'error') ? 'FAIL' : findings.length > 0 ? 'warn' : 'ok';
    out.line(`${mark.padEnd(4)} ${group.name} (${kind}, ${group.zones.length} zone(s), ${where})`);
    for (const finding of findings) {
      out.line(`     ${finding.severity}: [${finding.check}] ${finding.message}`);
      const [first = '', ...rest] = finding.fix.split('\n');
      out.line(`       fix: ${first}`);
      for (const line of rest) out.line(`            ${line}`);
    }
  }
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.filter((f) => f.severity === 'warning').length;
  out.line('');
  out.line(`${report.groups.length} group(s): ${errors} error(s), ${warnings} warning(s)`);
}
