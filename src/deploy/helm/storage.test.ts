import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { rollbackTarget } from '../recover/pending.js';
import { decodeRelease, helmDriver, revisionOf, type StorageObject } from './storage.js';

const manifest = `---
# Source: webapp/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: webapp
---
# Source: webapp/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: webapp
spec:
  replicas: 2
`;

function record(driver: 'secret' | 'configmap'): StorageObject {
  const release = {
    name: 'webapp',
    namespace: 'shop',
    version: 4,
    info: { status: 'pending-upgrade', description: 'Preparing upgrade', notes: 'hello' },
    config: { app_secrets: { db_password: 'never-read' } },
    manifest,
    hooks: [
      {
        name: 'webapp-migrate',
        kind: 'Job',
        events: ['pre-install', 'pre-upgrade'],
        manifest: 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: webapp-migrate\n',
      },
    ],
  };
  // Helm's encoding (pkg/storage/driver/util.go): gzip, then base64; a Secret adds its own base64.
  const helm = gzipSync(JSON.stringify(release)).toString('base64');
  return {
    apiVersion: 'v1',
    kind: driver === 'secret' ? 'Secret' : 'ConfigMap',
    metadata: {
      name: 'sh.helm.release.v1.webapp.v4',
      namespace: 'shop',
      labels: {
        owner: 'helm',
        name: 'webapp',
        status: 'pending-upgrade',
        version: '4',
        modifiedAt: '1795678812',
      },
    },
    data: { release: driver === 'secret' ? Buffer.from(helm).toString('base64') : helm },
  };
}

describe('Helm release records', () => {
  it('decodes what Helm stores, for both drivers', () => {
    for (const driver of ['secret', 'configmap'] as const) {
      const decoded = decodeRelease(record(driver), driver);
      expect(decoded).toMatchObject({
        name: 'webapp',
        revision: 4,
        status: 'pending-upgrade',
        notes: 'hello',
      });
      expect(decoded?.objects.map((o) => `${o.kind}/${o.name}`)).toEqual([
        'Service/webapp',
        'Deployment/webapp',
      ]);
      expect(decoded?.hooks[0]).toMatchObject({
        name: 'webapp-migrate',
        kind: 'Job',
        events: ['pre-install', 'pre-upgrade'],
      });
      expect(JSON.stringify(decoded)).not.toContain('never-read');
    }
  });

  it('reads revision, status and modification time from the labels', () => {
    expect(revisionOf(record('secret'))).toEqual({
      revision: 4,
      status: 'pending-upgrade',
      modifiedAt: new Date(1795678812 * 1000),
    });
    expect(revisionOf({ metadata: { labels: { owner: 'someone' } } })).toBeUndefined();
  });

  it('follows HELM_DRIVER, and refuses the drivers it cannot read', () => {
    expect(helmDriver({})).toBe('secret');
    expect(helmDriver({ HELM_DRIVER: 'configmap' })).toBe('configmap');
    expect(() => helmDriver({ HELM_DRIVER: 'sql' })).toThrow(/HELM_DRIVER=sql is not supported/);
  });

  it('rolls a stuck release back to the last deployed revision, else the last superseded', () => {
    const r = (revision: number, status: string) => ({ revision, status, modifiedAt: undefined }) as never;
    expect(
      rollbackTarget([r(1, 'superseded'), r(2, 'deployed'), r(3, 'failed'), r(4, 'pending-upgrade')]),
    ).toMatchObject({ revision: 2 });
    expect(rollbackTarget([r(1, 'superseded'), r(2, 'superseded'), r(3, 'pending-upgrade')])).toMatchObject({
      revision: 2,
    });
    expect(rollbackTarget([r(1, 'failed'), r(2, 'pending-upgrade')])).toBeUndefined();
    expect(rollbackTarget([r(1, 'pending-install')])).toBeUndefined();
  });
});
