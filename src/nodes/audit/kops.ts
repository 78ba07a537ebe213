import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigError, NotFoundError } from '../../core/errors.js';
import type { NodeGroup } from './model.js';

/** kops' API group, and the plain `kops/v1alpha2` that kops 1.x wrote (the talk's InstanceGroup). */
const kopsApiVersion = /^kops(\.k8s\.io)?\/v1alpha[0-9]+$/;

interface KopsDoc {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown };
  spec?: Record<string, unknown>;
}

function yamlFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/i.test(entry.name)) files.push(full);
    }
  };
  walk(dir);
  return files.sort();
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function isKops(doc: KopsDoc, kind: string): boolean {
  // The talk's slide lost the top-level apiVersion to indentation; a kops kind without one is accepted.
  return (
    doc.kind === kind &&
    (doc.apiVersion === undefined ||
      (typeof doc.apiVersion === 'string' && kopsApiVersion.test(doc.apiVersion)))
  );
}

/**
 * Reads kops InstanceGroups (and the Cluster, for subnet zones and the node-termination-handler
 * settings) from the YAML files under a directory, as `kops get cluster,ig -o yaml` writes them
 * or a kops state export keeps them.
 */
export function loadKopsGroups(path: string): NodeGroup[] {
  let files: string[];
  try {
    files = statSync(path).isDirectory() ? yamlFiles(path) : [path];
  } catch {
    throw new NotFoundError(
      `no such file or directory: ${path}`,
      'Pass the folder holding your kops InstanceGroup YAML.',
    );
  }
  const groups: { doc: KopsDoc; file: string }[] = [];
  const clusters: KopsDoc[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const document of parseAllDocuments(text)) {
      if (document.errors.length > 0) {
        const error = document.errors[0];
        const line = error?.linePos?.[0]?.line;
        throw new ConfigError(
          `${file}${line === undefined ? '' : `:${line}`}: ${error?.message.split('\n')[0] ?? 'invalid YAML'}`,
          'Fix the YAML (kops get ig -o yaml writes valid files).',
        );
      }
      const doc = document.toJS() as KopsDoc | null;
      if (doc === null || typeof doc !== 'object') continue;
      if (isKops(doc, 'InstanceGroup'))
        groups.push({ doc, file: statSync(path).isDirectory() ? relative(path, file) : file });
      else if (isKops(doc, 'Cluster')) clusters.push(doc);
    }
  }
  if (groups.length === 0) {
    throw new NotFoundError(
      `no kops InstanceGroup found in ${path}`,
      'Export them with `kops get ig -o yaml > ig.yaml` first.',
    );
  }
  const cluster = record(clusters[0]?.spec);
  const subnetZones = new Map<string, string>();
  for (const subnet of Array.isArray(cluster.subnets) ? cluster.subnets : []) {
    const s = record(subnet);
    if (typeof s.name === 'string' && typeof s.zone === 'string') subnetZones.set(s.name, s.zone);
  }
  const nth = record(cluster.nodeTerminationHandler);
  const queueMode = nth.enabled === true && nth.enableSQSTerminationDraining === true;
  return groups
    .map(({ doc, file }) => toGroup(doc, file, subnetZones, queueMode))
    .filter((group) => group.role !== 'Bastion');
}

function toGroup(
  doc: KopsDoc,
  file: string,
  subnetZones: Map<string, string>,
  queueMode: boolean,
): NodeGroup {
  const spec = doc.spec ?? {};
  const mixed = spec.mixedInstancesPolicy === undefined ? undefined : record(spec.mixedInstancesPolicy);
  const maxPrice =
    typeof spec.maxPrice === 'string' || typeof spec.maxPrice === 'number'
      ? String(spec.maxPrice)
      : undefined;
  const onDemandAboveBase = typeof mixed?.onDemandAboveBase === 'number' ? mixed.onDemandAboveBase : 100;
  const spot = mixed !== undefined ? onDemandAboveBase < 100 : maxPrice !== undefined;
  const machineType = typeof spec.machineType === 'string' ? [spec.machineType] : [];
  const instances = strings(mixed?.instances);
  const subnets = strings(spec.subnets).length > 0 ? strings(spec.subnets) : strings(spec.zones);
  const zones = [...new Set(subnets.map((s) => subnetZones.get(s) ?? s))];
  const metadata = record(spec.instanceMetadata);
  return {
    source: 'kops',
    name: typeof doc.metadata?.name === 'string' ? doc.metadata.name : '(unnamed)',
    file,
    ...(typeof spec.role === 'string' ? { role: spec.role } : {}),
    spot,
    instanceTypes: instances.length > 0 ? instances : machineType,
    instanceRequirements: mixed?.instanceRequirements !== undefined,
    zones,
    suspendedProcesses: strings(spec.suspendProcesses),
    capacityRebalance: spec.capacityRebalance === true,
    terminationHooks: queueMode ? 'kops-queue' : [],
    ...(typeof mixed?.spotAllocationStrategy === 'string'
      ? { spotAllocationStrategy: mixed.spotAllocationStrategy }
      : {}),
    ...(maxPrice === undefined ? {} : { maxPrice }),
    mixedInstancesPolicy: mixed !== undefined,
    ...(spec.instanceMetadata === undefined
      ? {}
      : {
          instanceMetadata: {
            ...(typeof metadata.httpTokens === 'string' ? { httpTokens: metadata.httpTokens } : {}),
            ...(typeof metadata.httpPutResponseHopLimit === 'number'
              ? { hopLimit: metadata.httpPutResponseHopLimit }
              : {}),
          },
        }),
  };
}
