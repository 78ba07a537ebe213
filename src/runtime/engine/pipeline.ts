/**
 * From inputs to outputs: audit events go through the rules engine, alerts (Chartroom's own and
 * those of Falco agents) go to every sink. Keeps the counters a receiver reports.
 */
import type { RuntimeEvent } from '../fields/types.js';
import { AuditPayloadError, parseAuditPayload, type ParsedAuditEvent } from '../inputs/audit-events.js';
import type { Alert } from '../outputs/alert.js';
import type { AlertSink, SinkStats } from '../outputs/sink.js';
import type { Runtime } from './runtime.js';

export interface PipelineStats {
  events: number;
  eventErrors: number;
  chartroomAlerts: number;
  falcoAlerts: number;
  /** Alerts per rule since start. */
  rules: Record<string, number>;
  sinks: Record<string, SinkStats>;
}

export interface IngestResult {
  events: number;
  alerts: number;
  errors: string[];
}

export class AlertPipeline {
  private readonly counters = { events: 0, eventErrors: 0, chartroomAlerts: 0, falcoAlerts: 0 };
  private readonly rules: Record<string, number> = {};

  constructor(
    readonly runtime: Runtime | undefined,
    readonly sinks: readonly AlertSink[],
    private readonly onEventError: (message: string) => void = () => undefined,
  ) {}

  /** Sends an alert to every sink. */
  emit(alert: Alert): void {
    this.rules[alert.rule] = (this.rules[alert.rule] ?? 0) + 1;
    if (alert.origin === 'falco') this.counters.falcoAlerts++;
    else this.counters.chartroomAlerts++;
    for (const sink of this.sinks) sink.deliver(alert);
  }

  /** Runs the rules on one event; returns its alerts (already emitted). */
  processEvent(event: Omit<RuntimeEvent, 'num'>): Alert[] {
    this.counters.events++;
    const alerts = this.runtime?.process(event) ?? [];
    for (const alert of alerts) this.emit(alert);
    return alerts;
  }

  ingestParsed(parsed: readonly ParsedAuditEvent[], where: string): IngestResult {
    const result: IngestResult = { events: 0, alerts: 0, errors: [] };
    for (const item of parsed) {
      if ('error' in item) {
        this.counters.eventErrors++;
        result.errors.push(item.error);
        this.onEventError(`${where}: ${item.error}`);
        continue;
      }
      result.events++;
      result.alerts += this.processEvent(item.event).length;
    }
    return result;
  }

  /** An audit webhook body (Event, EventList or array). Throws AuditPayloadError when unusable. */
  ingestAuditPayload(text: string, where: string, maxEventSize?: number): IngestResult {
    try {
      return this.ingestParsed(
        parseAuditPayload(text, maxEventSize === undefined ? {} : { maxEventSize }),
        where,
      );
    } catch (error) {
      if (error instanceof AuditPayloadError) {
        this.counters.eventErrors++;
        this.onEventError(`${where}: ${error.message}`);
      }
      throw error;
    }
  }

  stats(): PipelineStats {
    return {
      ...this.counters,
      rules: { ...this.rules },
      sinks: Object.fromEntries(this.sinks.map((sink) => [sink.name, sink.stats()])),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map((sink) => sink.close()));
  }
}
