import { describe, expect, it } from 'vitest';
import { parseManifest } from '../helm/storage.js';
import { diffObjects } from './objects.js';

const deployment = (replicas: number): string => `# Source: webapp/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: webapp
spec:
  replicas: ${String(replicas)}
  template:
    spec:
      containers:
        - name: web
          image: registry.example/webapp:1.0.0
`;

const secret = (password: string, user = 'cart_service'): string => `apiVersion: v1
kind: Secret
metadata:
  name: webapp
stringData:
  db_password: ${password}
  db_username: ${user}
data:
  token: ${Buffer.from(`token-${password}`).toString('base64')}
`;

const configMap = (name: string, namespace?: string): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
${namespace === undefined ? '' : `  namespace: ${namespace}\n`}data:
  LOG_LEVEL: debug
`;

const manifest = (...docs: string[]): ReturnType<typeof parseManifest> => parseManifest(docs.join('---\n'));

describe('diffing a release against the next deploy', () => {
  it('sorts objects into changed, added, removed and unchanged, with a unified diff of the changed ones', () => {
    const diffs = diffObjects(
      manifest(deployment(1), configMap('old'), configMap('same')),
      manifest(configMap('same', 'shop'), deployment(3), configMap('new')),
      'shop',
    );
    expect(diffs.map((d) => `${d.change} ${d.kind}/${d.namespace}/${d.name}`)).toEqual([
      'changed ConfigMap/shop/same',
      'changed Deployment/shop/webapp',
      'added ConfigMap/shop/new',
      'removed ConfigMap/shop/old',
    ]);
    const changed = diffs[1]?.lines ?? [];
    expect(changed[0]).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@$/);
    expect(changed).toContain('-  replicas: 1');
    expect(changed).toContain('+  replicas: 3');
    expect(changed).toContain('   template:');
    expect(diffs[2]?.lines.every((line) => line.startsWith('+') || line.startsWith('@@'))).toBe(true);
    expect(diffs[3]?.lines.every((line) => line.startsWith('-') || line.startsWith('@@'))).toBe(true);
    // An object without a namespace is in the release's: paired with one naming it (the added
    // namespace field is the change), not an added and a removed one.
    expect(diffs[0]?.lines).toContain('+  namespace: shop');
    expect(diffObjects(manifest(configMap('same')), manifest(configMap('same')), 'shop')).toEqual([
      { kind: 'ConfigMap', name: 'same', namespace: 'shop', change: 'unchanged', lines: [] },
    ]);
  });

  it('never shows a Secret value, but shows that one changed, even to a value of the same length', () => {
    const [diff] = diffObjects(
      manifest(secret('staging-Zq4vN7pR2wX9')),
      manifest(secret('staging-Kx8mT3qL5vB2')),
      'shop',
    );
    const text = diff?.lines.join('\n') ?? '';
    expect(diff?.change).toBe('changed');
    expect(text).not.toMatch(/Zq4vN7pR2wX9|Kx8mT3qL5vB2|cart_service/);
    expect(text).not.toContain(Buffer.from('token-staging-Kx8mT3qL5vB2').toString('base64'));
    expect(diff?.lines).toContain('-  db_password: "<secret: 20 bytes>"');
    expect(diff?.lines).toContain('+  db_password: "<secret: 20 bytes, changed>"');
    // base64 data counts decoded bytes.
    expect(diff?.lines).toContain('+  token: "<secret: 26 bytes, changed>"');
    expect(diff?.lines).toContain('   db_username: "<secret: 12 bytes>"');

    const [same] = diffObjects(manifest(secret('a')), manifest(secret('a')), 'shop');
    expect(same?.change).toBe('unchanged');
    const [added] = diffObjects([], manifest(secret('first-password')), 'shop');
    expect(added?.lines.join('\n')).not.toContain('first-password');
  });
});
