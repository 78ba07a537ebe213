/**
 * How `chartroom dev` reports a session. Everything goes to stderr: stdout belongs to the
 * developer's command. With `-o json` each event is one JSON line on stderr (secrets masked).
 */
import type { DevEvent, RestoreOutcome } from '../dev/index.js';
import type { Output } from '../core/output/index.js';

const masked = '********';

/** The event as JSON, with secret values of rewritten variables masked. */
function jsonOf(event: DevEvent): object {
  if (event.type === 'env-changed' && event.change.secret) {
    return { ...event, change: { ...event.change, before: masked, after: masked } };
  }
  return event;
}

export function outcomeLine(outcome: RestoreOutcome): string {
  switch (outcome.kind) {
    case 'restored':
      return 'restored the original workload';
    case 'kept-changes':
      return `kept the changes ${outcome.manager ?? 'someone'} made during the swap (the swap's marks are removed)`;
    case 'not-swapped':
      return 'not swapped: nothing to restore';
    case 'other-session':
      return `swapped by another session (${outcome.record.holder}): left alone`;
    case 'gone':
      return 'the workload is gone';
  }
}

function swapLine(event: Extract<DevEvent, { type: 'swap' }>['event'], out: Output): void {
  switch (event.type) {
    case 'swapped':
      out.info(
        `swap: pods replaced by the relay (session ${event.record.session}, lease ${event.record.lease})`,
      );
      return;
    case 'fighter':
      out.warn(`${event.fighter.message}\n  hint: ${event.fighter.hint}`);
      return;
    case 'relay-pods':
      out.info(`swap: relay pods ready: ${event.ready.join(', ') || 'none'}`);
      return;
    case 'control-connected':
      out.detail(`swap: tunnel connected to ${event.pod}`);
      return;
    case 'control-lost':
      out.warn(`swap: tunnel to ${event.pod} dropped (${event.reason}); reconnecting`);
      return;
    case 'denied':
      out.warn(`swap: relay ${event.pod} refused the tunnel: ${event.reason}`);
      return;
    case 'connection':
      out.detail(`swap: connection on :${event.port} from ${event.peer}`);
      return;
    case 'local-refused':
      out.warn(
        `swap: a connection to :${event.port} found nothing on 127.0.0.1:${event.localPort} (${event.message})`,
      );
      return;
    case 'workload-changed':
    case 'lease-lost':
    case 'lease-renew-failed':
      out.warn(`swap: ${event.message}`);
      return;
    case 'relay-log':
      out.detail(`relay: ${event.line}`);
      return;
    case 'skipped-port':
      out.warn(`swap: port ${event.port} is not relayed (only TCP ports are)`);
      return;
  }
}

export function devEventPrinter(out: Output): (event: DevEvent) => void {
  return (event) => {
    if (out.json) {
      out.stderr.write(`${JSON.stringify(jsonOf(event))}\n`);
      return;
    }
    switch (event.type) {
      case 'target':
        out.info(
          `dev: ${event.workload} in ${event.namespace}${event.preview === undefined ? '' : ` (preview of ${event.preview})`}, container ${event.container}${event.pod === undefined ? '' : `, env as in pod ${event.pod}`}`,
        );
        return;
      case 'note':
        out.info(`note: ${event.message}`);
        return;
      case 'forward': {
        const { forward } = event;
        out.info(
          `forward 127.0.0.1:${forward.localPort} → ${forward.service}.${forward.namespace}:${forward.port}${forward.pod === undefined ? ' (no ready pod yet)' : ` (pod ${forward.pod})`}`,
        );
        return;
      }
      case 'backend':
        out.info(`forward ${event.key} now reaches pod ${event.pod}`);
        return;
      case 'connection-failed':
        out.warn(`forward ${event.key}: ${event.message}`);
        return;
      case 'env-changed': {
        const { change } = event;
        out.info(
          `env ${change.name}: ${change.secret ? masked : change.before} → ${change.secret ? masked : change.after}`,
        );
        return;
      }
      case 'swap':
        swapLine(event.event, out);
        return;
      case 'swap-ready':
        out.info(
          `swap ready after ${event.seconds}s: cluster traffic on ${event.routes.map((route) => `:${route.port} → 127.0.0.1:${route.localPort}`).join(', ')}`,
        );
        return;
      case 'ready':
        out.info(
          `ready after ${event.seconds}s: ${event.forwards} forward${event.forwards === 1 ? '' : 's'}${event.envFile === undefined ? '' : `, env in ${event.envFile}`}`,
        );
        return;
      case 'started':
        out.detail(`command started (pid ${event.pid}) after ${event.seconds}s`);
        return;
      case 'restored':
        out.info(`swap: ${outcomeLine(event.outcome)}`);
        return;
    }
  };
}
