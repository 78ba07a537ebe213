/**
 * The log of one run as the dashboard shows it: what the deploy capability reported (Helm's lines,
 * workload progress, the diagnosis), each line stamped with the seconds since the run started.
 * Written to the store about once a second while the run goes, so a reload shows progress.
 */
import type { DeployEvent, Diagnosis, WorkloadProgress } from '../../deploy/index.js';
import type { PreviewRecords, RunTimings } from '../records.js';

const maxLogBytes = 512 * 1024;
/** `client.go:144: 2026-11-26 09:34:08.239716338 +0000 UTC m=+1.040026546 [debug] ` */
const helmDebugPrefix = /^\S+\.go:\d+: \d{4}-\d\d-\d\d [\d:.]+ [+-]\d{4} \w+ m=[+-][\d.]+ /;

export function diagnosisLines(diagnosis: Diagnosis): string[] {
  return [
    `✗ ${diagnosis.summary}`,
    ...(diagnosis.message !== diagnosis.summary ? [`  ${diagnosis.message}`] : []),
    ...(diagnosis.exitCode === undefined ? [] : [`  exit code ${diagnosis.exitCode}`]),
    ...(diagnosis.logs === undefined
      ? []
      : ['  last log lines:', ...diagnosis.logs.map((line) => `  | ${line}`)]),
    ...(diagnosis.logsNote === undefined ? [] : [`  (${diagnosis.logsNote})`]),
    `  hint: ${diagnosis.hint}`,
  ];
}

function progressLine(workload: WorkloadProgress): string {
  const ref = `${workload.ref.kind}/${workload.ref.name}${workload.ref.hook === undefined ? '' : ' (hook)'}`;
  const counts =
    workload.ref.kind === 'Job'
      ? `${workload.succeeded ?? 0}/${workload.desired} completed`
      : `${workload.ready}/${workload.desired} ready`;
  return `${ref}: ${workload.state}, ${counts}${workload.message === '' ? '' : ` — ${workload.message}`}`;
}

export class RunLog {
  private lines: string[] = [];
  private bytes = 0;
  private readonly started = Date.now();
  private flushed = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly lastProgress = new Map<string, string>();
  /** Moments of the run (epoch ms), for the timings. */
  readonly marks: Partial<Record<'helmStart' | 'waitStart' | 'helmExit' | 'done', number>> = {};

  constructor(
    private readonly records: PreviewRecords,
    private readonly runId: string,
  ) {
    this.timer = setInterval(() => void this.flush(), 1000);
    this.timer.unref();
  }

  line(text: string): void {
    const stamp = `[${((Date.now() - this.started) / 1000).toFixed(1).padStart(6)}s]`;
    for (const part of text.split('\n')) {
      const entry = `${stamp} ${part}`;
      this.bytes += entry.length + 1;
      this.lines.push(entry);
    }
    // Keep the beginning and the end of a runaway log.
    while (this.bytes > maxLogBytes && this.lines.length > 200) {
      const removed = this.lines.splice(100, 1)[0] ?? '';
      this.bytes -= removed.length + 1;
      if (this.lines[100] !== '        … (log shortened)')
        this.lines.splice(100, 0, '        … (log shortened)');
    }
  }

  /** Turns one deploy event into log lines (progress only when a workload's line changes). */
  event(event: DeployEvent): void {
    const at = Date.parse(event.at);
    switch (event.type) {
      case 'start':
        this.line(
          `deploy ${event.app} (${event.env} values) as release ${event.release} in ${event.namespace}: chart ${event.chart}, timeout ${event.timeout}`,
        );
        this.line(
          `values, in order: ${event.values.map((value) => `${value.name} (${value.kind})`).join(', ')}`,
        );
        break;
      case 'lock-wait':
        this.line(`waiting for another deploy of this release: ${event.holder}`);
        break;
      case 'lock-acquired':
        if (event.takeover !== undefined) this.line(`took over the release lock: ${event.takeover}`);
        break;
      case 'recovered':
        this.line(`recovered the release: ${JSON.stringify(event.recovery)}`);
        break;
      case 'helm-start':
        this.marks.helmStart = at;
        this.line(`helm upgrade --install started (pid ${event.pid})`);
        break;
      case 'helm-log':
        // Helm's own wait for the release's resources (not the deletion of an old hook Job).
        if (/\[debug\] beginning wait for \d+ resources with timeout/.test(event.line))
          this.marks.waitStart ??= at;
        this.line(`helm: ${event.line.replace(helmDebugPrefix, '')}`);
        break;
      case 'helm-exit':
        this.marks.helmExit = at;
        this.line(
          `helm exited with ${event.code === null ? `signal ${String(event.signal)}` : `code ${event.code}`}`,
        );
        break;
      case 'stopping':
        this.line(`stopping Helm: ${event.reason}`);
        break;
      case 'release':
        this.line(`release revision ${event.revision}: ${event.status}`);
        break;
      case 'progress':
        for (const workload of event.workloads) {
          const key = `${workload.ref.kind}/${workload.ref.name}`;
          const text = progressLine(workload);
          if (this.lastProgress.get(key) === text) continue;
          this.lastProgress.set(key, text);
          this.line(text);
        }
        break;
      case 'warning':
        this.line(`warning: ${event.message}`);
        break;
      case 'diagnosis':
        for (const text of diagnosisLines(event.diagnosis)) this.line(text);
        break;
      case 'done':
        this.marks.done = at;
        this.line(`deploy ${event.result.status} in ${(event.result.durationMs / 1000).toFixed(1)}s`);
        break;
    }
  }

  /** The run's timings, from the push's arrival and the marks. */
  timings(receivedAt: number | undefined, runStart: number, end: number): RunTimings {
    const { helmStart, waitStart, helmExit } = this.marks;
    const done = this.marks.done ?? end;
    const span = (from: number | undefined, to: number | undefined): number | undefined =>
      from === undefined || to === undefined ? undefined : Math.max(0, to - from);
    return {
      ...(receivedAt === undefined
        ? {}
        : { webhookToStart: span(receivedAt, helmStart ?? end), total: span(receivedAt, done) }),
      queue: receivedAt === undefined ? undefined : span(receivedAt, runStart),
      prepare: span(runStart, helmStart),
      helm: span(helmStart, helmExit),
      helmApply: span(helmStart, waitStart ?? helmExit),
      rollout: span(waitStart, done),
      deploy: span(runStart, done),
    };
  }

  text(): string {
    return this.lines.join('\n');
  }

  async flush(): Promise<void> {
    if (this.lines.length === this.flushed && this.flushed !== 0) return;
    this.flushed = this.lines.length;
    await this.records.updateRun(this.runId, { log: this.text() }).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.flushed = -1;
    await this.flush();
  }
}
