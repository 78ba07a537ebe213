/** A sink that prints alerts as Falco's stdout output does: text lines, or JSON lines. */
import { alertJson, alertText, type Alert, type JsonAlertOptions } from './alert.js';
import { AlertGate, type AlertSink, type SinkPolicy, type SinkStats } from './sink.js';

export interface PrinterOptions extends SinkPolicy {
  json?: boolean;
  jsonOptions?: JsonAlertOptions;
  write(line: string): void;
}

export function formatAlertLine(alert: Alert, options: Pick<PrinterOptions, 'json' | 'jsonOptions'>): string {
  return options.json === true ? alertJson(alert, options.jsonOptions) : alertText(alert);
}

export class PrinterSink implements AlertSink {
  readonly name = 'stdout';
  private readonly gate: AlertGate;
  private delivered = 0;

  constructor(private readonly options: PrinterOptions) {
    this.gate = new AlertGate(options);
  }

  deliver(alert: Alert): void {
    if (!this.gate.admit(alert)) return;
    this.options.write(`${formatAlertLine(alert, this.options)}\n`);
    this.delivered++;
  }

  async close(): Promise<void> {
    // Lines are written as they come; nothing is queued.
  }

  stats(): SinkStats {
    return { delivered: this.delivered, ...this.gate.counts, dropped: 0 };
  }
}
