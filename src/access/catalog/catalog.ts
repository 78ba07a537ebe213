/**
 * The clusters catalog: one YAML file listing the clusters people may get access to — where the
 * API server is, its CA, region and cluster id (what tokens are signed for), the IAM roles to
 * make contexts for, who approves access requests and for how long a grant may last.
 *
 *   clusters:
 *     - name: prod
 *       server: https://ABC.gr7.eu-west-1.eks.amazonaws.com
 *       certificateAuthorityData: LS0tLS1CRUdJTi…
 *       region: eu-west-1
 *       roles: [{ name: admin, arn: "arn:aws:iam::111122223333:role/ProdAdmin" }]
 *       approvers: ["arn:aws:iam::111122223333:role/Platform"]
 *       maxDuration: 12h
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError, NotFoundError } from '../../core/errors.js';
import { parseDuration } from '../requests/duration.js';

const name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'lower-case letters, digits and dashes');
const roleSchema = z
  .object({ name, arn: z.string().regex(/^arn:[\w-]+:iam::\d{12}:role\/.+$/, 'an IAM role ARN') })
  .strict();
const clusterSchema = z
  .object({
    name,
    server: z.string().regex(/^https:\/\/\S+$/, 'an https:// URL'),
    certificateAuthorityData: z
      .string()
      .regex(/^[A-Za-z0-9+/=\s]+$/, 'base64 of the PEM CA')
      .optional(),
    certificateAuthority: z.string().optional(),
    insecureSkipTlsVerify: z.boolean().optional(),
    region: z.string().regex(/^[a-z0-9-]+$/),
    clusterId: z.string().min(1).optional(),
    roles: z.array(roleSchema).default([]),
    approvers: z.array(z.string().startsWith('arn:')).default([]),
    maxDuration: z.string().default('12h'),
    /** The kubeconfig context approvers use to create and remove grant bindings. */
    adminContext: z.string().optional(),
  })
  .strict();
const catalogSchema = z.object({ clusters: z.array(clusterSchema) }).strict();

export type CatalogCluster = z.infer<typeof clusterSchema>;

export interface ClusterEntry extends CatalogCluster {
  /** The id tokens are signed for: clusterId, or the name. */
  tokenClusterId: string;
  maxDurationSeconds: number;
}

export function defaultCatalogPath(env: NodeJS.ProcessEnv): string {
  return (
    env.CHARTROOM_CLUSTERS ??
    join(env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), '.config'), 'chartroom', 'clusters.yaml')
  );
}

export function parseCatalog(text: string, source: string): ClusterEntry[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError !== undefined) {
    throw new ConfigError(
      `${source}:${yamlError.linePos?.[0].line ?? 1}: not valid YAML: ${yamlError.message.split('\n')[0] ?? ''}`,
      'Fix the YAML syntax.',
    );
  }
  const result = catalogSchema.safeParse(doc.toJS());
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.filter((p): p is string | number => typeof p !== 'symbol') ?? [];
    // The deepest node that exists along the path gives the line.
    let line = 1;
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range !== undefined) {
        line = lines.linePos(node.range[0]).line;
        break;
      }
    }
    throw new ConfigError(
      `${source}:${line}: ${path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}`,
      'See docs/access.md for the clusters catalog format.',
    );
  }
  const seen = new Set<string>();
  return result.data.clusters.map((cluster) => {
    if (seen.has(cluster.name))
      throw new ConfigError(
        `${source}: cluster ${cluster.name} is listed twice`,
        'Give each cluster one entry.',
      );
    seen.add(cluster.name);
    if (
      cluster.certificateAuthorityData === undefined &&
      cluster.certificateAuthority === undefined &&
      cluster.insecureSkipTlsVerify !== true
    ) {
      throw new ConfigError(
        `${source}: cluster ${cluster.name} has no certificateAuthorityData`,
        'Add the API server CA (base64 PEM), as EKS DescribeCluster returns it.',
      );
    }
    return {
      ...cluster,
      tokenClusterId: cluster.clusterId ?? cluster.name,
      maxDurationSeconds: parseDuration(cluster.maxDuration),
    };
  });
}

export async function loadCatalog(options: {
  path?: string;
  env: NodeJS.ProcessEnv;
}): Promise<ClusterEntry[]> {
  const path = options.path ?? defaultCatalogPath(options.env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(
        `no clusters catalog at ${path}`,
        'Pass --catalog <file> or set CHARTROOM_CLUSTERS; see docs/access.md.',
        error,
      );
    }
    throw error;
  }
  return parseCatalog(text, path);
}

export function findCluster(
  catalog: readonly ClusterEntry[],
  clusterName: string,
  source = 'the clusters catalog',
): ClusterEntry {
  const found = catalog.find((cluster) => cluster.name === clusterName);
  if (found === undefined) {
    const known = catalog.map((cluster) => cluster.name).join(', ');
    throw new NotFoundError(
      `no cluster ${clusterName} in ${source}`,
      known === '' ? 'The catalog lists no clusters.' : `Known clusters: ${known}.`,
    );
  }
  return found;
}
