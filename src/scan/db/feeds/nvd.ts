/**
 * NVD CVE records, in the CVE API 2.0 / JSON 2.0 feed shape (`vulnerabilities[].cve`) or the
 * retired 1.1 feed shape (`CVE_Items[]`): description, CVSS scores and references, used when the
 * distribution gives no severity of its own.
 */
import { severityFromCvss2, severityFromCvss3 } from '../../severity.js';
import type { Cvss, VulnerabilityDetail } from '../types.js';
import { emptyRecords, type FeedRecords } from './types.js';

interface CvssData {
  baseScore?: number;
  vectorString?: string;
}
interface Nvd2Cve {
  id?: string;
  published?: string;
  lastModified?: string;
  descriptions?: { lang?: string; value?: string }[];
  metrics?: Record<string, { type?: string; cvssData?: CvssData }[] | undefined>;
  references?: { url?: string }[];
}
interface Nvd11Item {
  cve?: {
    CVE_data_meta?: { ID?: string };
    description?: { description_data?: { lang?: string; value?: string }[] };
    references?: { reference_data?: { url?: string }[] };
  };
  impact?: { baseMetricV3?: { cvssV3?: CvssData }; baseMetricV2?: { cvssV2?: CvssData } };
  publishedDate?: string;
  lastModifiedDate?: string;
}

export function looksLikeNvd(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    (Array.isArray((value as { vulnerabilities?: unknown }).vulnerabilities) ||
      Array.isArray((value as { CVE_Items?: unknown }).CVE_Items))
  );
}

function primary(metrics: { type?: string; cvssData?: CvssData }[] | undefined): CvssData | undefined {
  return (metrics?.find((m) => m.type === 'Primary') ?? metrics?.[0])?.cvssData;
}

function detailFrom(
  id: string,
  v3: CvssData | undefined,
  v2: CvssData | undefined,
  rest: Omit<VulnerabilityDetail, 'id'>,
): VulnerabilityDetail {
  const cvss: Cvss = {};
  if (v3?.baseScore !== undefined) cvss.v3Score = v3.baseScore;
  if (v3?.vectorString !== undefined) cvss.v3Vector = v3.vectorString;
  if (v2?.baseScore !== undefined) cvss.v2Score = v2.baseScore;
  if (v2?.vectorString !== undefined) cvss.v2Vector = v2.vectorString;
  const detail: VulnerabilityDetail = { id, ...rest };
  if (Object.keys(cvss).length > 0) detail.cvss = { nvd: cvss };
  const severity =
    cvss.v3Score !== undefined
      ? severityFromCvss3(cvss.v3Score)
      : cvss.v2Score !== undefined
        ? severityFromCvss2(cvss.v2Score)
        : undefined;
  if (severity !== undefined) {
    detail.severity = severity;
    detail.severitySource = 'nvd';
  }
  return detail;
}

export function parseNvd(value: {
  vulnerabilities?: { cve?: Nvd2Cve }[];
  CVE_Items?: Nvd11Item[];
}): FeedRecords {
  const out = emptyRecords();
  const newer = (date: string | undefined): void => {
    if (date !== undefined && (out.dataDate === undefined || date > out.dataDate)) out.dataDate = date;
  };
  for (const { cve } of value.vulnerabilities ?? []) {
    out.records++;
    if (cve?.id === undefined) continue;
    newer(cve.lastModified);
    const description = cve.descriptions?.find((d) => d.lang === 'en')?.value;
    const references = (cve.references ?? []).flatMap((r) => (r.url ? [r.url] : []));
    out.details.push(
      detailFrom(
        cve.id,
        primary(cve.metrics?.cvssMetricV31) ?? primary(cve.metrics?.cvssMetricV30),
        primary(cve.metrics?.cvssMetricV2),
        {
          ...(description === undefined ? {} : { description }),
          ...(references.length === 0 ? {} : { references }),
          ...(cve.published === undefined ? {} : { published: cve.published }),
          ...(cve.lastModified === undefined ? {} : { modified: cve.lastModified }),
        },
      ),
    );
  }
  for (const item of value.CVE_Items ?? []) {
    out.records++;
    const id = item.cve?.CVE_data_meta?.ID;
    if (id === undefined) continue;
    newer(item.lastModifiedDate);
    const description = item.cve?.description?.description_data?.find((d) => d.lang === 'en')?.value;
    const references = (item.cve?.references?.reference_data ?? []).flatMap((r) => (r.url ? [r.url] : []));
    out.details.push(
      detailFrom(id, item.impact?.baseMetricV3?.cvssV3, item.impact?.baseMetricV2?.cvssV2, {
        ...(description === undefined ? {} : { description }),
        ...(references.length === 0 ? {} : { references }),
        ...(item.publishedDate === undefined ? {} : { published: item.publishedDate }),
        ...(item.lastModifiedDate === undefined ? {} : { modified: item.lastModifiedDate }),
      }),
    );
  }
  return out;
}
