import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The agent's and queue watcher's Prometheus metrics. Names follow Prometheus conventions
 * (`_total` counters, `_seconds` durations) under `chartroom_nodes_`.
 */
export class NodesMetrics {
  readonly registry = new Registry();
  readonly notices: Counter<'kind'>;
  readonly actions: Counter<'kind' | 'action' | 'result'>;
  readonly imdsRequests: Counter<'path' | 'result'>;
  readonly imdsErrors: Counter<'reason'>;
  readonly imdsUp: Gauge;
  readonly lastPoll: Gauge;
  readonly cordonSeconds: Histogram<'kind'>;
  readonly drainSeconds: Histogram<'kind' | 'status'>;
  readonly podsEvicted: Counter;
  readonly podsLeft: Counter;
  readonly webhooks: Counter<'result'>;
  readonly queueMessages: Counter<'kind' | 'result'>;
  readonly lifecycleCompletions: Counter<'result'>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'chartroom_nodes_' });
    this.notices = new Counter({
      name: 'chartroom_nodes_notices_total',
      help: 'Termination notices seen, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.actions = new Counter({
      name: 'chartroom_nodes_actions_total',
      help: 'Responses to notices (cordon, drain), by kind, action and result',
      labelNames: ['kind', 'action', 'result'],
      registers,
    });
    this.imdsRequests = new Counter({
      name: 'chartroom_nodes_imds_requests_total',
      help: 'IMDS polls by path and result (found, not_found, error)',
      labelNames: ['path', 'result'],
      registers,
    });
    this.imdsErrors = new Counter({
      name: 'chartroom_nodes_imds_errors_total',
      help: 'Failed IMDS attempts (retried ones included), by reason',
      labelNames: ['reason'],
      registers,
    });
    this.imdsUp = new Gauge({
      name: 'chartroom_nodes_imds_up',
      help: '1 when the last IMDS poll succeeded, 0 when it failed',
      registers,
    });
    this.lastPoll = new Gauge({
      name: 'chartroom_nodes_last_poll_timestamp_seconds',
      help: 'Unix time of the last completed poll',
      registers,
    });
    this.cordonSeconds = new Histogram({
      name: 'chartroom_nodes_notice_to_cordon_seconds',
      help: 'Time from seeing a notice to the node being cordoned and tainted',
      labelNames: ['kind'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers,
    });
    this.drainSeconds = new Histogram({
      name: 'chartroom_nodes_drain_seconds',
      help: 'Drain duration, by notice kind and outcome (drained, incomplete, refused)',
      labelNames: ['kind', 'status'],
      buckets: [1, 5, 10, 20, 30, 60, 90, 120, 300, 600],
      registers,
    });
    this.podsEvicted = new Counter({
      name: 'chartroom_nodes_pods_evicted_total',
      help: 'Pods gone from draining nodes',
      registers,
    });
    this.podsLeft = new Counter({
      name: 'chartroom_nodes_pods_left_total',
      help: 'Pods still on a node when its drain deadline came',
      registers,
    });
    this.webhooks = new Counter({
      name: 'chartroom_nodes_webhook_posts_total',
      help: 'Webhook (Slack) posts by result',
      labelNames: ['result'],
      registers,
    });
    this.queueMessages = new Counter({
      name: 'chartroom_nodes_queue_messages_total',
      help: 'SQS messages handled, by event kind and result',
      labelNames: ['kind', 'result'],
      registers,
    });
    this.lifecycleCompletions = new Counter({
      name: 'chartroom_nodes_lifecycle_completions_total',
      help: 'CompleteLifecycleAction calls by result',
      labelNames: ['result'],
      registers,
    });
  }
}
