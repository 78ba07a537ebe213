import { z } from 'zod';
import type { Notice } from '../notice.js';

export const imdsPaths = {
  spot: '/latest/meta-data/spot/instance-action',
  rebalance: '/latest/meta-data/events/recommendations/rebalance',
  scheduled: '/latest/meta-data/events/maintenance/scheduled',
  lifecycle: '/latest/meta-data/autoscaling/target-lifecycle-state',
  instanceId: '/latest/meta-data/instance-id',
} as const;

export class NoticeFormatError extends Error {}

function parseJson(path: string, body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new NoticeFormatError(`${path} did not return JSON: ${body.slice(0, 80)}`);
  }
}

function rfc3339(path: string, field: string, text: string): Date {
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new NoticeFormatError(`${path}: ${field} "${text}" is not an RFC 3339 time`);
  return new Date(at);
}

const spotSchema = z.object({ action: z.enum(['terminate', 'stop', 'hibernate']), time: z.string() });

/** `{"action":"terminate","time":"2020-04-24T17:11:44Z"}`: about two minutes of warning. */
export function spotNotice(body: string, instanceId: string | undefined, seenAt: Date): Notice {
  const parsed = spotSchema.safeParse(parseJson(imdsPaths.spot, body));
  if (!parsed.success)
    throw new NoticeFormatError(`${imdsPaths.spot}: unexpected body ${body.slice(0, 120)}`);
  const endsAt = rfc3339(imdsPaths.spot, 'time', parsed.data.time);
  return {
    kind: 'spot-interruption',
    // One per action and instance: the time moves on some mocks and must not make a new notice.
    id: `spot-${parsed.data.action}`,
    ...(instanceId === undefined ? {} : { instanceId }),
    description: `spot instance ${parsed.data.action} at ${endsAt.toISOString()}`,
    endsAt,
    issuedAt: seenAt,
  };
}

const rebalanceSchema = z.object({ noticeTime: z.string() });

/** `{"noticeTime":"2020-10-27T08:22:00Z"}`: the instance is at elevated risk, no deadline yet. */
export function rebalanceNotice(body: string, instanceId: string | undefined): Notice {
  const parsed = rebalanceSchema.safeParse(parseJson(imdsPaths.rebalance, body));
  if (!parsed.success) {
    throw new NoticeFormatError(`${imdsPaths.rebalance}: unexpected body ${body.slice(0, 120)}`);
  }
  const issuedAt = rfc3339(imdsPaths.rebalance, 'noticeTime', parsed.data.noticeTime);
  return {
    kind: 'rebalance-recommendation',
    id: 'rebalance',
    ...(instanceId === undefined ? {} : { instanceId }),
    description: `rebalance recommendation issued at ${issuedAt.toISOString()}: elevated risk of interruption`,
    issuedAt,
  };
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** IMDS's maintenance dates use Go's layout `2 Jan 2006 15:04:05 GMT`. */
export function parseEventTime(text: string): Date | undefined {
  const m = /^(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(text.trim());
  if (m === null) return undefined;
  const month = months.indexOf(m[2] ?? '');
  if (month < 0) return undefined;
  return new Date(Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])));
}

const eventSchema = z.object({
  Code: z.string(),
  Description: z.string().optional(),
  EventId: z.string(),
  NotBefore: z.string(),
  NotAfter: z.string().optional(),
  State: z.string(),
});

const rebootCodes = new Set(['system-reboot', 'instance-reboot']);

/**
 * A JSON array of events (AEMM serves one object in some versions, accepted too). Only active
 * events are notices; completed and canceled ones are history.
 */
export function scheduledNotices(body: string, instanceId: string | undefined): Notice[] {
  const json = parseJson(imdsPaths.scheduled, body);
  const parsed = z.array(eventSchema).safeParse(Array.isArray(json) ? json : [json]);
  if (!parsed.success) {
    throw new NoticeFormatError(`${imdsPaths.scheduled}: unexpected body ${body.slice(0, 120)}`);
  }
  const notices: Notice[] = [];
  for (const event of parsed.data) {
    if (event.State !== 'active') continue;
    const notBefore = parseEventTime(event.NotBefore);
    if (notBefore === undefined) {
      throw new NoticeFormatError(`${imdsPaths.scheduled}: NotBefore "${event.NotBefore}" is not a time`);
    }
    notices.push({
      kind: 'scheduled-maintenance',
      id: `scheduled-${event.EventId}`,
      ...(instanceId === undefined ? {} : { instanceId }),
      description: `${event.Code} scheduled from ${notBefore.toISOString()}${event.Description === undefined ? '' : `: ${event.Description}`}`,
      endsAt: notBefore,
      issuedAt: notBefore,
      ...(rebootCodes.has(event.Code) ? { reboot: true } : {}),
    });
  }
  return notices;
}

/** Event ids of the document that are no longer active (for uncordoning after a reboot). */
export function finishedEventIds(body: string): Set<string> {
  const json = parseJson(imdsPaths.scheduled, body);
  const parsed = z.array(eventSchema).safeParse(Array.isArray(json) ? json : [json]);
  if (!parsed.success) return new Set();
  return new Set(parsed.data.filter((e) => e.State !== 'active').map((e) => `scheduled-${e.EventId}`));
}

/**
 * Plain text: `InService`, `Terminated`, or warm-pool states. Terminated is the only notice, and
 * the only way IMDS shows an ASG-initiated termination such as AZRebalance.
 */
export function lifecycleNotice(
  body: string,
  instanceId: string | undefined,
  seenAt: Date,
): Notice | undefined {
  const state = body.trim();
  if (state !== 'Terminated') return undefined;
  return {
    kind: 'asg-lifecycle-termination',
    id: `asg-terminated-${instanceId ?? 'self'}`,
    ...(instanceId === undefined ? {} : { instanceId }),
    description: 'the Auto Scaling group is terminating this instance (target lifecycle state Terminated)',
    issuedAt: seenAt,
  };
}
