/**
 * How `chartroom deploy` shows a deploy: on a terminal a live block with one line per workload
 * (updated/ready/available of desired) redrawn in place; in CI plain lines when something
 * changes plus a heartbeat; with `--output json` one NDJSON event per line on stdout.
 */
import type { Output } from '../core/output/index.js';
import type { DeployEvent, DeployOutcomeSummary, Diagnosis, WorkloadProgress } from '../deploy/index.js';

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

const counts = (w: WorkloadProgress): string =>
  w.state === 'pending'
    ? ''
    : w.ref.kind === 'Job'
      ? `${w.succeeded ?? 0}/${w.desired} completed`
      : `${w.updated}/${w.desired} updated  ${w.ready}/${w.desired} ready  ${w.available}/${w.desired} available`;

const label = (w: WorkloadProgress): string =>
  `${w.ref.kind}/${w.ref.name}${w.ref.hook === undefined ? '' : ' (hook)'}`;

export function diagnosisLines(diagnosis: Diagnosis): string[] {
  const lines: string[] = [];
  if (diagnosis.logs !== undefined && diagnosis.logs.length > 0) {
    lines.push(
      `last log lines of ${diagnosis.pod ?? '?'}/${diagnosis.container ?? '?'}${diagnosis.class === 'crash-loop' || diagnosis.class === 'oom-killed' ? ' (previous run)' : ''}:`,
    );
    for (const line of diagnosis.logs) lines.push(`  | ${line}`);
  } else if (diagnosis.logsNote !== undefined) {
    lines.push(`(${diagnosis.logsNote})`);
  }
  return lines;
}

export interface DeployRenderer {
  onEvent(event: DeployEvent): void;
  /** Ends the live display; prints the outcome's details (the error line comes from the CLI). */
  finish(result: DeployOutcomeSummary | undefined): void;
}

abstract class TextRenderer implements DeployRenderer {
  protected workloads: WorkloadProgress[] = [];
  protected started = Date.now();
  protected title = 'deploying';

  constructor(protected readonly out: Output) {}

  protected abstract line(text: string): void;
  protected abstract changed(): void;

  onEvent(event: DeployEvent): void {
    switch (event.type) {
      case 'start':
        this.title = `deploying ${event.app} to ${event.env}`;
        this.line(
          `${this.title}: release ${event.release} in ${event.namespace}, chart ${event.chart}, timeout ${event.timeout}${event.atomic ? ', atomic' : ''}`,
        );
        this.line(
          `values (in order): ${event.values.map((v) => (v.kind === 'secret-file' ? `${v.name} (sops, decrypted in memory)` : v.name)).join(', ') || 'chart defaults'}`,
        );
        break;
      case 'lock-wait':
        this.line(`waiting for the deploy lock: another deploy is running, by ${event.holder}`);
        break;
      case 'lock-acquired':
        if (event.takeover !== undefined)
          this.line(`took over the deploy lock of a deploy that stopped (${event.takeover})`);
        break;
      case 'recovered':
        this.line(this.out.paintErr('yellow', `recovered: ${event.recovery.message}`));
        break;
      case 'release':
        this.line(`release revision ${event.revision}: ${event.status}`);
        break;
      case 'progress':
        this.workloads = event.workloads;
        this.changed();
        break;
      case 'warning':
        this.line(`${this.out.paintErr('yellow', 'warning:')} ${event.message}`);
        break;
      case 'diagnosis':
        this.line(`${this.out.paintErr('red', '✗')} ${event.diagnosis.summary}`);
        for (const text of diagnosisLines(event.diagnosis)) this.line(`  ${text}`);
        break;
      case 'stopping':
        this.line(`stopping Helm (SIGTERM): ${event.reason.split(':')[0] ?? event.reason}`);
        break;
      case 'helm-log':
        this.out.detail(event.line);
        break;
      case 'helm-start':
      case 'helm-exit':
      case 'done':
        break;
    }
  }

  finish(result: DeployOutcomeSummary | undefined): void {
    this.stop();
    if (result === undefined) return;
    const seconds = (result.durationMs / 1000).toFixed(1);
    if (result.status === 'succeeded') {
      for (const w of result.workloads)
        this.line(
          `  ${this.out.paintErr('green', '✓')} ${label(w)} ${w.ref.kind === 'Job' ? 'completed' : `${w.ready}/${w.desired} ready`}`,
        );
      this.line(
        this.out.paintErr(
          'green',
          `✓ deployed ${result.app} to ${result.env}: release ${result.release} revision ${result.revision ?? '?'} in ${result.namespace} (${seconds}s)`,
        ),
      );
      if (result.notes !== undefined) this.line(result.notes);
      return;
    }
    this.line(
      `${result.status === 'interrupted' ? 'interrupted' : 'failed'} after ${seconds}s; release ${result.release} is ${result.releaseStatus ?? 'unknown'}${result.revision === undefined ? '' : ` (revision ${result.revision})`}`,
    );
  }

  protected stop(): void {
    // Plain output has nothing to stop.
  }
}

/** CI and pipes: a line per change of a workload, at most every 2 s each, and a 10 s heartbeat. */
class PlainRenderer extends TextRenderer {
  private readonly shown = new Map<string, { text: string; state: string; at: number }>();
  private heartbeat: NodeJS.Timeout;

  constructor(out: Output) {
    super(out);
    this.heartbeat = setInterval(() => {
      const waiting = this.workloads.filter((w) => w.state !== 'ready');
      if (waiting.length > 0)
        this.line(`still waiting on ${waiting.map((w) => `${label(w)}: ${w.message}`).join('; ')}`);
    }, 10_000);
    this.heartbeat.unref();
  }

  protected line(text: string): void {
    this.out.stderr.write(text + '\n');
  }

  protected changed(): void {
    const now = Date.now();
    for (const w of this.workloads) {
      const text = `${label(w)}: ${[counts(w), w.message].filter((part) => part !== '').join(' — ')}`;
      const key = label(w);
      const last = this.shown.get(key);
      if (last?.text === text) continue;
      if (last !== undefined && last.state === w.state && now - last.at < 2000) continue;
      this.shown.set(key, { text, state: w.state, at: now });
      this.line(text);
    }
  }

  protected override stop(): void {
    clearInterval(this.heartbeat);
  }
}

/** A terminal: the workload lines are redrawn in place under the scrolling log lines. */
class LiveRenderer extends TextRenderer {
  private drawn = 0;
  private frame = 0;
  private stopped = false;
  private timer: NodeJS.Timeout;

  constructor(out: Output) {
    super(out);
    this.timer = setInterval(() => {
      this.frame = (this.frame + 1) % frames.length;
      this.draw();
    }, 100);
    this.timer.unref();
  }

  private clear(): void {
    if (this.drawn > 0) this.out.stderr.write(`\u001b[${this.drawn}A\u001b[0J`);
    this.drawn = 0;
  }

  private draw(): void {
    this.clear();
    const paint = this.out.paintErr;
    const width = this.out.stderr.columns ?? 120;
    const seconds = Math.round((Date.now() - this.started) / 1000);
    const lines = [`${paint('cyan', frames[this.frame] ?? '')} ${this.title} ${paint('dim', `${seconds}s`)}`];
    const nameWidth = Math.max(0, ...this.workloads.map((w) => label(w).length));
    for (const w of this.workloads) {
      const mark =
        w.state === 'ready'
          ? paint('green', '✓')
          : w.state === 'failed'
            ? paint('red', '✗')
            : w.state === 'pending'
              ? paint('dim', '·')
              : paint('cyan', '•');
      const text = `  ${mark} ${label(w).padEnd(nameWidth)}  ${counts(w)}  ${paint('dim', w.message)}`;
      lines.push(text.slice(0, width + 30));
    }
    this.out.stderr.write(lines.join('\n') + '\n');
    this.drawn = lines.length;
  }

  protected line(text: string): void {
    this.clear();
    this.out.stderr.write(text + '\n');
    // After the end, the outcome's lines replace the live block instead of scrolling above it.
    if (!this.stopped) this.draw();
  }

  protected changed(): void {
    if (!this.stopped) this.draw();
  }

  protected override stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.clear();
  }
}

/** `--output json`: every event as one JSON line on stdout. */
class JsonRenderer implements DeployRenderer {
  constructor(private readonly out: Output) {}

  onEvent(event: DeployEvent): void {
    if (event.type === 'helm-log' && !this.out.debug) return;
    this.out.event(event, () => undefined);
  }

  finish(): void {
    // The `done` event already carried the result.
  }
}

export function deployRenderer(out: Output, env: NodeJS.ProcessEnv): DeployRenderer {
  if (out.json) return new JsonRenderer(out);
  return out.stderr.isTTY === true && env.CI === undefined ? new LiveRenderer(out) : new PlainRenderer(out);
}
