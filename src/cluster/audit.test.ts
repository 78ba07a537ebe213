import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { webhookKubeconfig } from './audit.js';

interface WebhookConfig {
  clusters: { cluster: Record<string, unknown> }[];
  users: { user: Record<string, string> }[];
}

describe('webhookKubeconfig', () => {
  it('carries the CA and the credentials the API server presents', () => {
    const config = parse(
      webhookKubeconfig({
        name: 'audit',
        url: 'https://127.0.0.1:9/k8s-audit',
        caFile: '/pki/ca.crt',
        credentials: { token: 't0ken', clientCertFile: '/pki/client.crt', clientKeyFile: '/pki/client.key' },
      }),
    ) as WebhookConfig;
    expect(config.clusters[0]?.cluster).toEqual({
      server: 'https://127.0.0.1:9/k8s-audit',
      'certificate-authority': '/pki/ca.crt',
    });
    expect(config.users[0]?.user).toEqual({
      token: 't0ken',
      'client-certificate': '/pki/client.crt',
      'client-key': '/pki/client.key',
    });
  });

  it('skips TLS verification only for https without a CA, and sends no credentials unless given', () => {
    const config = parse(
      webhookKubeconfig({ name: 'token', url: 'https://127.0.0.1:9/tokenreview' }),
    ) as WebhookConfig;
    expect(config.clusters[0]?.cluster['insecure-skip-tls-verify']).toBe(true);
    expect(config.users[0]?.user).toEqual({});
  });
});
