import { z } from 'zod';
import { severities } from '../severity.js';

/** How a vulnerability stands for one package in one release, as the distribution says. */
export const fixStates = ['fixed', 'unfixed', 'will-not-fix', 'fix-deferred', 'end-of-life'] as const;
export type FixState = (typeof fixStates)[number];

/** OSV-style range events, evaluated with the release's version scheme. */
export const rangeEventSchema = z.object({
  introduced: z.string().optional(),
  fixed: z.string().optional(),
  last_affected: z.string().optional(),
  limit: z.string().optional(),
});

/**
 * One advisory for one (release, source package). Stored as a JSON array per package and
 * validated on every read, so a damaged row fails loudly instead of hiding findings.
 */
export const advisorySchema = z.object({
  id: z.string(),
  state: z.enum(fixStates),
  fixed: z.string().optional(),
  /** Trivy's AffectedVersion: versions below it are not affected (Alpine). */
  affected: z.string().optional(),
  ranges: z.array(rangeEventSchema).optional(),
  versions: z.array(z.string()).optional(),
  severity: z.enum(severities).optional(),
  vendorIds: z.array(z.string()).optional(),
  /** The feed it came from (a sources.id). */
  source: z.string().optional(),
});
export type Advisory = z.infer<typeof advisorySchema>;
export type RangeEvent = z.infer<typeof rangeEventSchema>;
export const advisoryListSchema = z.array(advisorySchema);

export interface Cvss {
  v2Score?: number;
  v2Vector?: string;
  v3Score?: number;
  v3Vector?: string;
}

/** Release-independent facts about a vulnerability (NVD, descriptions). */
export interface VulnerabilityDetail {
  id: string;
  title?: string;
  description?: string;
  /** The generic severity: NVD's (CVSS v3, else v2), else what an OSV record's CVSS says. */
  severity?: (typeof severities)[number];
  severitySource?: 'nvd' | 'osv';
  cvss?: { nvd?: Cvss } & Record<string, Cvss>;
  references?: string[];
  aliases?: string[];
  published?: string;
  modified?: string;
}

export interface DataSource {
  id: string;
  name: string;
  url: string;
}

/** One input of a DB build: what it was, where from, how fresh. */
export interface SourceRecord {
  id: string;
  kind: 'debian-tracker' | 'alpine-secdb' | 'osv' | 'nvd';
  /** File path relative to the feeds folder, or the URL it was downloaded from. */
  location: string;
  sha256: string;
  bytes: number;
  records: number;
  /** The newest date the data itself carries (OSV modified, NVD lastModified), else the file time. */
  dataDate: string;
  fetchedAt?: string;
}

export interface DbManifest {
  schema: number;
  builtAt: string;
  builder: string;
  sources: SourceRecord[];
  counts: { advisories: number; packages: number; vulnerabilities: number; namespaces: string[] };
}
