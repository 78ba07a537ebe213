/**
 * End of standard support per release, as Trivy's detectors know them, to warn on an
 * end-of-life base image (whose findings stop being complete) and to pick Ubuntu's ESM release.
 */
export const debianEol: Record<string, string> = {
  '7': '2018-05-31',
  '8': '2020-06-30',
  '9': '2022-06-30',
  '10': '2024-06-30',
  '11': '2026-08-31',
  '12': '2028-06-30',
  '13': '2030-06-30',
};

export const alpineEol: Record<string, string> = {
  '3.0': '2016-05-01',
  '3.1': '2016-11-01',
  '3.2': '2017-05-01',
  '3.3': '2017-11-01',
  '3.4': '2018-05-01',
  '3.5': '2018-11-01',
  '3.6': '2019-05-01',
  '3.7': '2019-11-01',
  '3.8': '2020-05-01',
  '3.9': '2020-11-01',
  '3.10': '2021-05-01',
  '3.11': '2021-11-01',
  '3.12': '2022-05-01',
  '3.13': '2022-11-01',
  '3.14': '2023-05-01',
  '3.15': '2023-11-01',
  '3.16': '2024-05-23',
  '3.17': '2024-11-22',
  '3.18': '2025-05-09',
  '3.19': '2025-11-01',
  '3.20': '2026-04-01',
  '3.21': '2026-11-01',
  '3.22': '2027-05-01',
};

export const ubuntuEol: Record<string, string> = {
  '12.04': '2017-04-28',
  '12.04-ESM': '2019-04-28',
  '14.04': '2019-04-25',
  '14.04-ESM': '2024-04-25',
  '16.04': '2021-04-30',
  '16.04-ESM': '2026-04-23',
  '18.04': '2023-05-31',
  '18.04-ESM': '2028-03-31',
  '19.04': '2020-01-18',
  '19.10': '2020-07-06',
  '20.04': '2025-05-31',
  '20.10': '2021-07-22',
  '21.04': '2022-01-20',
  '21.10': '2022-07-14',
  '22.04': '2027-06-01',
  '22.10': '2023-07-20',
  '23.04': '2024-01-25',
  '23.10': '2024-07-11',
  '24.04': '2029-05-31',
  '24.10': '2025-07-10',
  '25.04': '2026-01-15',
};

function endOf(date: string): number {
  return Date.parse(date.length === 10 ? `${date}T23:59:59Z` : date);
}

/**
 * The release to look up for Ubuntu: the version itself when listed; `X-ESM` means X while X is
 * still supported (Trivy's rule), else stays `X-ESM`.
 */
export function ubuntuRelease(version: string, now: Date, table: Record<string, string> = ubuntuEol): string {
  if (table[version] !== undefined) return version;
  const base = /^(.*)-ESM$/.exec(version)?.[1];
  if (base !== undefined) {
    const end = table[base];
    if (end !== undefined && now.getTime() <= endOf(end)) return base;
  }
  return version;
}

/** Whether the release is still supported at `now`; releases missing from the table count as supported. */
export function isSupported(release: string, now: Date, table: Record<string, string>): boolean {
  const end = table[release];
  return end === undefined || now.getTime() <= endOf(end);
}
