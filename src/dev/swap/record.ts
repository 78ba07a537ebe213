/**
 * What a swap writes on the workload, so that anyone (this CLI, another one, `chartroom dev
 * restore`, the server's sweeper, or a human with kubectl) can put it back: the original `spec`
 * verbatim as JSON in an annotation, and a record of who swapped it, when, under which Lease, and
 * a hash of the spec the swap wrote (to tell a swap still in place from one someone changed).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

const prefix = 'chartroom.dev/dev';

export const devLabels = {
  /** `true` on a swapped workload: what `dev status` and the sweeper list. */
  swapped: `${prefix}-swapped`,
  /** On relay pods (pod template) and on objects of one session (Lease, kwok rules). */
  session: `${prefix}-session`,
  /** `true` on Leases of swaps. */
  lease: `${prefix}-lease`,
} as const;

export const devAnnotations = {
  swap: `${prefix}-swap`,
  originalSpec: `${prefix}-original-spec`,
  /** On Leases: the workload they keep swapped, as `<Kind>/<name>`. */
  workload: `${prefix}-workload`,
} as const;

/** Annotations may total 256 KiB per object; leave room for everyone else's. */
export const maxOriginalSpecBytes = 200 * 1024;

export const swapRecordSchema = z.object({
  version: z.literal(1),
  session: z.string().min(1),
  /** `user@host pid N`: who holds the swap, for messages. */
  holder: z.string(),
  host: z.string(),
  pid: z.number().int(),
  lease: z.string().min(1),
  leaseDurationSeconds: z.number().int().positive(),
  container: z.string().min(1),
  startedAt: z.string(),
  relayImage: z.string(),
  controlPort: z.number().int(),
  ports: z.array(z.number().int()),
  /** sha256 of the swapped spec without `replicas` (autoscalers may change that). */
  swappedHash: z.string(),
});

export type SwapRecord = z.infer<typeof swapRecordSchema>;

export type WorkloadKind = 'Deployment' | 'StatefulSet';

export interface WorkloadRef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
}

/** The API's own JSON of a Deployment or StatefulSet (only what this capability reads). */
export interface WireWorkload {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: { manager?: string; operation?: string; time?: string }[];
    [key: string]: unknown;
  };
  spec: Record<string, unknown> & { replicas?: number };
  status?: Record<string, unknown>;
}

export function workloadPath(ref: WorkloadRef): string {
  const plural = ref.kind === 'Deployment' ? 'deployments' : 'statefulsets';
  return `/apis/apps/v1/namespaces/${encodeURIComponent(ref.namespace)}/${plural}/${encodeURIComponent(ref.name)}`;
}

export function describeWorkload(ref: WorkloadRef): string {
  return `${ref.kind.toLowerCase()} ${ref.namespace}/${ref.name}`;
}

/** Object keys in order, so the hash does not depend on how a server ordered them. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export function specHash(spec: Record<string, unknown>): string {
  const { replicas: _replicas, ...rest } = spec;
  return createHash('sha256')
    .update(JSON.stringify(canonical(rest)))
    .digest('hex');
}

export interface SwapState {
  record: SwapRecord;
  originalSpec: Record<string, unknown>;
  /** False when the workload changed since the swap (a deploy, a GitOps sync): not ours to undo. */
  intact: boolean;
}

/** The swap written on the workload, or undefined when it is not swapped (or the record is damaged). */
export function readSwap(workload: WireWorkload): SwapState | undefined {
  const notes = workload.metadata.annotations ?? {};
  const rawRecord = notes[devAnnotations.swap];
  const rawSpec = notes[devAnnotations.originalSpec];
  if (rawRecord === undefined || rawSpec === undefined) return undefined;
  try {
    const record = swapRecordSchema.parse(JSON.parse(rawRecord));
    const originalSpec = JSON.parse(rawSpec) as Record<string, unknown>;
    return { record, originalSpec, intact: specHash(workload.spec) === record.swappedHash };
  } catch {
    return undefined;
  }
}
