import { describe, expect, it } from 'vitest';
import { checkTemplates, labelBudget, previewLabel, previewNames, type NameTemplates } from './naming.js';

const templates: NameTemplates = {
  app: 'webapp',
  domain: 'threduptest.com',
  namespace: '{app}-{label}',
  host: '{label}.{domain}',
  release: 'webapp',
};

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('preview names', () => {
  it('keeps a branch that is a valid DNS label, as the talk did', () => {
    expect(previewNames('devopsstage', templates)).toEqual({
      label: 'devopsstage',
      verbatim: true,
      namespace: 'webapp-devopsstage',
      host: 'devopsstage.threduptest.com',
      release: 'webapp',
    });
  });

  it('slugs anything else and adds a hash of the exact branch', () => {
    const names = previewNames('feature/Login_v2', templates);
    expect(names.label).toMatch(/^feature-login-v2-[0-9a-f]{6}$/);
    expect(names.verbatim).toBe(false);
    // Lossy slugs of different branches stay apart.
    const a = previewLabel('feature/x', templates).label;
    const b = previewLabel('feature_x', templates).label;
    const c = previewLabel('Feature-X', templates).label;
    expect(new Set([a, b, c, 'feature-x']).size).toBe(4);
    expect(previewLabel('feature-x', templates)).toEqual({ label: 'feature-x', verbatim: true });
  });

  it('never lets a verbatim branch look like a hashed one', () => {
    const hashed = previewLabel('feature/x', templates).label;
    // Someone creates a branch literally named like the hashed label of another branch.
    const literal = previewLabel(hashed, templates);
    expect(literal.verbatim).toBe(false);
    expect(literal.label).not.toBe(hashed);
    expect(previewLabel('fix-deadbeef', templates).verbatim).toBe(false);
    expect(previewLabel('fix-dead', templates).verbatim).toBe(true);
  });

  it('keeps namespaces and host labels within 63 and releases within 53', () => {
    const long = `feature/${'very-long-branch-name-'.repeat(8)}end`;
    const withRelease = { ...templates, release: 'web-{label}' };
    for (const branch of [long, 'x'.repeat(63), 'y'.repeat(80), 'UPPER/' + 'z'.repeat(70)]) {
      const names = previewNames(branch, withRelease);
      expect(names.namespace.length).toBeLessThanOrEqual(63);
      expect(names.namespace).toMatch(dnsLabel);
      expect(names.host.split('.')[0]?.length).toBeLessThanOrEqual(63);
      expect(names.release.length).toBeLessThanOrEqual(53);
      expect(names.release).toMatch(dnsLabel);
    }
    expect(labelBudget(withRelease)).toBe(53 - 'web-'.length);
    // The same long branch gives the same name every time.
    expect(previewNames(long, templates)).toEqual(previewNames(long, templates));
  });

  it('gives 2000 distinct branches 2000 distinct names, and a longer hash on request', () => {
    const labels = new Set<string>();
    for (let i = 0; i < 1000; i += 1) {
      labels.add(previewLabel(`feature/${i}`, templates).label);
      labels.add(previewLabel(`feature-${i}`, templates).label);
    }
    expect(labels.size).toBe(2000);
    const six = previewLabel('feature/y', templates).label;
    const ten = previewLabel('feature/y', templates, 10).label;
    expect(ten.startsWith(six.slice(0, -6))).toBe(true);
    expect(ten).toMatch(/-[0-9a-f]{10}$/);
  });

  it('reserves hosts that would shadow something, and handles branches with no letters', () => {
    expect(previewLabel('www', templates).verbatim).toBe(false);
    expect(previewLabel('staging', templates).label).toMatch(/^staging-[0-9a-f]{6}$/);
    expect(previewLabel('___', templates).label).toMatch(/^b-[0-9a-f]{6}$/);
    expect(previewLabel('日本語', templates).label).toMatch(/^b-[0-9a-f]{6}$/);
  });

  it('starts a release-derived label with a letter (Service names need one)', () => {
    const byRelease = { ...templates, release: '{label}' };
    expect(previewLabel('2024-cleanup', byRelease).label).toMatch(/^b-2024-cleanup-[0-9a-f]{6}$/);
    expect(previewLabel('2024-cleanup', templates)).toEqual({ label: '2024-cleanup', verbatim: true });
  });

  it('refuses templates that leave no room or make invalid names', () => {
    expect(checkTemplates(templates)).toBeUndefined();
    expect(checkTemplates({ ...templates, namespace: `${'n'.repeat(56)}-{label}` })).toMatch(
      /leave 6 characters/,
    );
    expect(checkTemplates({ ...templates, namespace: 'Preview_{label}' })).toMatch(/invalid name/);
  });
});
