import { describe, expect, it } from 'vitest';
import type { Finding } from '../match/matcher.js';
import { byBaseImage, countBySeverity, slackMessage, summaryLine } from '../report/summary.js';
import type { Severity } from '../severity.js';
import { gate } from './gate.js';
import { isExpired, parseIgnoreFile } from './ignore.js';
import { parseWhitelist, whitelistKeys } from './whitelist.js';

const finding = (id: string, severity: Severity, pkgName = 'openssl'): Finding => ({
  vulnerabilityId: id,
  pkgName,
  installedVersion: '1.0',
  srcName: pkgName,
  srcVersion: '1.0',
  state: 'fixed',
  severity,
});
const now = new Date('2026-06-01T12:00:00Z');

describe('clair-scanner gating', () => {
  const findings = [
    finding('CVE-1', 'Critical'),
    finding('CVE-2', 'High'),
    finding('CVE-3', 'Medium'),
    finding('CVE-4', 'Unknown'),
    finding('CVE-2', 'High', 'libssl'),
  ];

  it('counts everything with the default threshold Unknown, one entry per package and CVE', () => {
    expect(gate(findings, 'alpine:3.5', { threshold: 'Unknown', now }).unapproved).toEqual([
      'CVE-1',
      'CVE-2',
      'CVE-3',
      'CVE-4',
      'CVE-2',
    ]);
  });

  it('approves what is strictly less severe than the threshold', () => {
    const result = gate(findings, 'alpine:3.5', { threshold: 'High', now });
    expect(result.unapproved).toEqual(['CVE-1', 'CVE-2', 'CVE-2']);
    expect(result.findings.find((f) => f.vulnerabilityId === 'CVE-3')).toMatchObject({
      approved: true,
      approval: 'below-threshold',
    });
  });

  it("reads clair-scanner's whitelist: general entries and per-image entries", () => {
    const whitelist = parseWhitelist(
      'generalwhitelist:\n  CVE-1: XML\nimages:\n  alpine:\n    CVE-2: SE\n  ubuntu:\n    CVE-3: Java\n',
      'w.yaml',
    );
    const result = gate(findings, 'alpine:3.5', { threshold: 'Unknown', whitelist, now });
    expect(result.unapproved).toEqual(['CVE-3', 'CVE-4']);
    expect(result.findings[0]).toMatchObject({ approval: 'whitelisted', approvalNote: 'general whitelist' });
    expect(parseWhitelist('', 'empty.yaml')).toEqual({ general: {}, images: {} });
    expect(() => parseWhitelist('images: [1, 2]', 'bad.yaml')).toThrow('bad.yaml: images must be a map');
  });

  it("keys images by repository, short name and (for old files) clair-scanner's first-colon key", () => {
    expect(whitelistKeys('registry:777/team/ubuntu:16.04')).toEqual([
      'registry:777/team/ubuntu',
      'ubuntu',
      'registry',
    ]);
    expect(whitelistKeys('docker.io/library/alpine@sha256:abc')).toEqual([
      'docker.io/library/alpine',
      'alpine',
      'docker.io/library/alpine@sha256',
    ]);
  });

  it('applies ignore rules until they expire, then reports them', () => {
    const rules = parseIgnoreFile('# accepted\nCVE-1 exp:2026-12-31\nCVE-2 exp:2026-05-31\n', '.trivyignore');
    const result = gate(findings, 'alpine:3.5', { threshold: 'Unknown', ignoreRules: rules, now });
    expect(result.unapproved).toEqual(['CVE-2', 'CVE-3', 'CVE-4', 'CVE-2']);
    expect(result.expiredRules.map((r) => [r.id, r.origin])).toEqual([['CVE-2', '.trivyignore:3']]);
    expect(isExpired({ id: 'x', origin: 'o', expires: '2026-06-01' }, now)).toBe(false);
  });

  it("reads YAML ignore files, scoped to a package, and Trivy's .trivyignore.yaml", () => {
    const rules = parseIgnoreFile(
      'ignore:\n  - id: CVE-2\n    package: libssl\n    expires: 2027-01-01\n    reason: backport verified\n',
      'ignore.yaml',
    );
    const result = gate(findings, 'alpine:3.5', { threshold: 'Unknown', ignoreRules: rules, now });
    expect(result.findings.filter((f) => f.approved).map((f) => [f.pkgName, f.approvalNote])).toEqual([
      ['libssl', 'backport verified'],
    ]);
    expect(
      parseIgnoreFile(
        'vulnerabilities:\n  - id: CVE-9\n    statement: n/a\n    expired_at: 2025-01-01\n',
        't.yaml',
      ),
    ).toEqual([{ id: 'CVE-9', origin: 't.yaml: entry 1', expires: '2025-01-01', reason: 'n/a' }]);
    expect(() => parseIgnoreFile('CVE-1 exp:soon', '.trivyignore')).toThrow(
      '.trivyignore:1: "soon" is not a date',
    );
  });
});

describe("the talk's reports", () => {
  it('prints the Jenkins summary line', () => {
    const counts = countBySeverity([
      finding('a', 'Medium'),
      finding('b', 'Medium'),
      finding('c', 'High'),
      finding('d', 'Low'),
    ]);
    expect(summaryLine(counts)).toBe(
      'Vulnerability scan completed: Medium: 2, High: 1, Critical: 0, DefCon1: 0',
    );
  });

  it('counts by base image and posts it as a Slack message', () => {
    const rows = byBaseImage([
      { image: 'a', namespace: 'debian:9', findings: [finding('x', 'High'), finding('y', 'Low')] },
      { image: 'b', namespace: 'alpine:v3.8', findings: [finding('z', 'Medium')] },
      { image: 'c', namespace: 'debian:9', findings: [finding('w', 'High')] },
      { image: 'd', findings: [] },
    ]);
    expect(rows.map((r) => [r.total, r.namespace, r.images.length, r.counts.High])).toEqual([
      [1, 'alpine:v3.8', 1, 0],
      [3, 'debian:9', 2, 2],
      [0, 'unknown', 1, 0],
    ]);
    const message = slackMessage(countBySeverity([finding('x', 'High')]), rows);
    expect(message.text).toBe(
      'Vulnerability scan completed: Medium: 0, High: 1, Critical: 0, DefCon1: 0\n```\n     1 alpine:v3.8\n     3 debian:9\n     0 unknown\n```',
    );
  });
});
