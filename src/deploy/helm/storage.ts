/**
 * Helm 3's release records, read straight from the cluster: one Secret (or ConfigMap with
 * HELM_DRIVER=configmap) per revision, named `sh.helm.release.v1.<release>.v<n>` and labelled
 * `owner=helm,name=<release>,status=…,version=<n>`. Reading them through the API is faster than
 * spawning `helm history`, and it lets the tracker learn a new revision's manifest and hooks the
 * moment Helm writes its pending record — before any resource is applied.
 */
import { gunzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import { ConfigError } from '../../core/errors.js';
import type { KubeClient, KubernetesObject } from '../../kube/index.js';

export type HelmDriver = 'secret' | 'configmap';

export function helmDriver(env: NodeJS.ProcessEnv): HelmDriver {
  const value = (env.HELM_DRIVER ?? '').toLowerCase();
  if (value === '' || value === 'secret' || value === 'secrets') return 'secret';
  if (value === 'configmap' || value === 'configmaps') return 'configmap';
  throw new ConfigError(
    `HELM_DRIVER=${env.HELM_DRIVER ?? ''} is not supported by chartroom deploy`,
    'Use the default Secret storage (unset HELM_DRIVER) or HELM_DRIVER=configmap.',
  );
}

export const storageResource = (driver: HelmDriver): { apiVersion: string; kind: string; plural: string } =>
  driver === 'secret'
    ? { apiVersion: 'v1', kind: 'Secret', plural: 'secrets' }
    : { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps' };

export const storageSelector = (release: string): string => `owner=helm,name=${release}`;

export type ReleaseStatus =
  | 'unknown'
  | 'deployed'
  | 'uninstalled'
  | 'superseded'
  | 'failed'
  | 'uninstalling'
  | 'pending-install'
  | 'pending-upgrade'
  | 'pending-rollback';

export interface ReleaseRevision {
  revision: number;
  status: ReleaseStatus;
  /** When Helm last wrote the record (its `modifiedAt` label), if it has one. */
  modifiedAt: Date | undefined;
}

export const isPending = (status: ReleaseStatus): boolean => status.startsWith('pending-');

export interface StorageObject extends KubernetesObject {
  data?: Record<string, string>;
}

export function revisionOf(object: StorageObject): ReleaseRevision | undefined {
  const labels = object.metadata?.labels ?? {};
  const revision = Number(labels.version);
  if (labels.owner !== 'helm' || !Number.isInteger(revision)) return undefined;
  const modified = Number(labels.modifiedAt);
  return {
    revision,
    status: (labels.status ?? 'unknown') as ReleaseStatus,
    modifiedAt: Number.isFinite(modified) && modified > 0 ? new Date(modified * 1000) : undefined,
  };
}

interface ReleaseRef {
  namespace: string;
  release: string;
  driver: HelmDriver;
}

/** Helm's stored records (Secrets or ConfigMaps) of one release, undecoded. */
function listStorage(kube: KubeClient, options: ReleaseRef): Promise<StorageObject[]> {
  const resource = storageResource(options.driver);
  return kube.list<StorageObject>(resource.apiVersion, resource.kind, {
    namespace: options.namespace,
    labelSelector: storageSelector(options.release),
  });
}

/** Every revision of a release, oldest first. */
export async function releaseRevisions(kube: KubeClient, options: ReleaseRef): Promise<ReleaseRevision[]> {
  const objects = await listStorage(kube, options);
  return objects
    .map(revisionOf)
    .filter((revision): revision is ReleaseRevision => revision !== undefined)
    .sort((a, b) => a.revision - b.revision);
}

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | undefined;
  /** The object as rendered (pod templates, probes, replicas). */
  object: Record<string, unknown>;
}

export interface ReleaseHook {
  name: string;
  kind: string;
  events: string[];
  object: ManifestObject | undefined;
}

export interface ReleaseRecord {
  name: string;
  namespace: string;
  revision: number;
  status: ReleaseStatus;
  description: string;
  notes: string;
  objects: ManifestObject[];
  hooks: ReleaseHook[];
}

interface RawRelease {
  name?: string;
  namespace?: string;
  version?: number;
  info?: { status?: string; description?: string; notes?: string };
  manifest?: string;
  hooks?: { name?: string; kind?: string; events?: string[]; manifest?: string }[];
}

/** Helm's encoding: base64 of gzip (or of plain JSON in old records). */
function decodeHelmPayload(encoded: string): RawRelease {
  let bytes = Buffer.from(encoded, 'base64');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return JSON.parse(bytes.toString('utf8')) as RawRelease;
}

export function parseManifest(manifest: string): ManifestObject[] {
  const objects: ManifestObject[] = [];
  for (const doc of parseAllDocuments(manifest)) {
    const value = doc.toJS() as Record<string, unknown> | null;
    if (value === null || typeof value !== 'object') continue;
    const metadata = (value.metadata ?? {}) as { name?: string; namespace?: string };
    if (typeof value.kind !== 'string' || typeof metadata.name !== 'string') continue;
    objects.push({
      apiVersion: typeof value.apiVersion === 'string' ? value.apiVersion : '',
      kind: value.kind,
      name: metadata.name,
      namespace: metadata.namespace,
      object: value,
    });
  }
  return objects;
}

/** Decodes a release record object. Its values (`config`) are never read out of it. */
export function decodeRelease(object: StorageObject, driver: HelmDriver): ReleaseRecord | undefined {
  const payload = object.data?.release;
  if (payload === undefined) return undefined;
  const raw = decodeHelmPayload(
    driver === 'secret' ? Buffer.from(payload, 'base64').toString('utf8') : payload,
  );
  return {
    name: raw.name ?? '',
    namespace: raw.namespace ?? object.metadata?.namespace ?? '',
    revision: raw.version ?? 0,
    status: (raw.info?.status ?? 'unknown') as ReleaseStatus,
    description: raw.info?.description ?? '',
    notes: raw.info?.notes ?? '',
    objects: parseManifest(raw.manifest ?? ''),
    hooks: (raw.hooks ?? []).map((hook) => ({
      name: hook.name ?? '',
      kind: hook.kind ?? '',
      events: hook.events ?? [],
      object: parseManifest(hook.manifest ?? '')[0],
    })),
  };
}

/** Every revision of a release, decoded (manifests and hooks), newest first. */
export async function releaseRecords(kube: KubeClient, options: ReleaseRef): Promise<ReleaseRecord[]> {
  return (await listStorage(kube, options))
    .map((object) => decodeRelease(object, options.driver))
    .filter((record): record is ReleaseRecord => record !== undefined)
    .sort((a, b) => b.revision - a.revision);
}
