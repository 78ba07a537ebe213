/** What every git host's webhook comes down to: branches pushed to and branches deleted. */

export type WebhookSource = 'github' | 'gitlab' | 'bitbucket' | 'post-receive';

interface ChangeBase {
  /** As the host names it: `owner/name` (GitHub, Bitbucket), `group/project` (GitLab). */
  repo: string;
  branch: string;
  /** Who pushed, for the dashboard and the deploy record. */
  sender?: string;
  /** The repository's default branch, when the payload says (it never gets a preview). */
  defaultBranch?: string;
}

export interface PushChange extends ChangeBase {
  kind: 'push';
  commit: string;
  /** The branch's commit before the push (all zeros for a new branch). */
  before?: string;
  /** When the host says the push happened (ISO); orders deliveries that arrive out of order. */
  pushedAt?: string;
}

export interface DeleteChange extends ChangeBase {
  kind: 'delete';
}

export type GitChange = PushChange | DeleteChange;

export interface ParsedDelivery {
  source: WebhookSource;
  /** The host's id of this delivery (redeliveries repeat it); undefined when it sends none. */
  deliveryId: string | undefined;
  /** The host's event name, for logs. */
  event: string;
  /** A ping or an event that concerns no branch. */
  ignored?: string;
  changes: GitChange[];
}

/** A delivery refused before anything happened: the HTTP status and a reason for the sender. */
export class WebhookRejected extends Error {
  constructor(
    readonly status: 400 | 401 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookRejected';
  }
}

export type Headers = Record<string, string | string[] | undefined>;

export function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export const isZeroSha = (sha: string | null | undefined): boolean =>
  sha === null || sha === undefined || /^0+$/.test(sha);

export function branchOf(ref: string): string | undefined {
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new WebhookRejected(400, 'the body is not JSON');
  }
}

/** A timestamp as ISO text, from epoch seconds (GitHub's pushed_at) or a date string. */
export function isoTime(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000).toISOString();
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
  }
  return undefined;
}
