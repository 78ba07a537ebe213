import { describe, expect, it } from 'vitest';
import { collectSecretStrings, makeRedactor } from './redact.js';

describe('secret redaction', () => {
  const plain = [
    'app_secrets:',
    '  db_username: cart_service',
    '  db_password: staging-Zq4vN7pR2wX9',
    '  port: 5432',
    '  enabled: true',
    '  pin: 12345678',
    '  cert: |',
    '    -----BEGIN CERTIFICATE-----',
    '    MIIBszCCAVmgAwIBAgIUJ8',
    '    -----END CERTIFICATE-----',
  ].join('\n');

  it('collects the leaves worth hiding, not short flags and ports', () => {
    const found = collectSecretStrings(plain, 'yaml');
    expect(found).toContain('staging-Zq4vN7pR2wX9');
    expect(found).toContain('cart_service');
    expect(found).toContain('12345678');
    expect(found).toContain('MIIBszCCAVmgAwIBAgIUJ8');
    expect(found).not.toContain('5432');
    expect(found).not.toContain('true');
  });

  it('replaces clear and base64 forms, longest first', () => {
    const redact = makeRedactor(collectSecretStrings(plain, 'yaml'));
    const b64 = Buffer.from('staging-Zq4vN7pR2wX9').toString('base64');
    expect(redact(`Error: password staging-Zq4vN7pR2wX9 rejected; data ${b64}`)).toBe(
      'Error: password [redacted] rejected; data [redacted]',
    );
    expect(redact('listening on 5432')).toBe('listening on 5432');
  });

  it('is the identity when nothing is secret', () => {
    expect(makeRedactor([])('anything')).toBe('anything');
  });
});
