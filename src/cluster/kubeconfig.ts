import { stringify } from 'yaml';

/** A self-contained admin kubeconfig (certificates embedded), so it can be copied anywhere. */
export function adminKubeconfig(options: {
  name: string;
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}): string {
  const b64 = (text: string): string => Buffer.from(text).toString('base64');
  const context = `chartroom-${options.name}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: context,
        cluster: { server: options.server, 'certificate-authority-data': b64(options.caPem) },
      },
    ],
    users: [
      {
        name: `${context}-admin`,
        user: { 'client-certificate-data': b64(options.certPem), 'client-key-data': b64(options.keyPem) },
      },
    ],
    contexts: [
      { name: context, context: { cluster: context, user: `${context}-admin`, namespace: 'default' } },
    ],
    'current-context': context,
  });
}
