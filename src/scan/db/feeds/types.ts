import type { Advisory, DataSource, VulnerabilityDetail } from '../types.js';

/** What a feed parser hands the builder: advisories by release and package, plus details. */
export interface FeedRecords {
  advisories: { namespace: string; pkg: string; advisory: Advisory }[];
  details: VulnerabilityDetail[];
  dataSources: Record<string, DataSource>;
  /** Input records read (packages × CVEs, secfixes entries, OSV records, NVD items). */
  records: number;
  /** The newest date inside the data, when it carries any. */
  dataDate?: string;
}

export const dataSources = {
  debian: {
    id: 'debian',
    name: 'Debian Security Tracker',
    url: 'https://security-tracker.debian.org/tracker/',
  },
  alpine: { id: 'alpine', name: 'Alpine Secdb', url: 'https://secdb.alpinelinux.org/' },
  ubuntu: { id: 'ubuntu', name: 'Ubuntu Security Notices (OSV)', url: 'https://ubuntu.com/security/notices' },
  osv: { id: 'osv', name: 'OSV', url: 'https://osv.dev/' },
} satisfies Record<string, DataSource>;

export function emptyRecords(): FeedRecords {
  return { advisories: [], details: [], dataSources: {}, records: 0 };
}
