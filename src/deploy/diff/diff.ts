/**
 * `chartroom deploy diff`: what the next deploy would change, object by object, before it runs —
 * the question helm-diff answers, with the same values a deploy uses (sops files decrypted in
 * memory; Helm reads them from pipes). Nothing in the cluster changes: Helm renders with
 * `helm template --validate` against the cluster, and the deployed side comes from Helm's own
 * release record.
 */
import { ExitCode } from '../../core/errors.js';
import { deployError } from '../errors.js';
import { explainHelmError } from '../helm/error-hints.js';
import { templateArgs } from '../helm/commands.js';
import { helmError, runHelm } from '../helm/process.js';
import { parseManifest, releaseRecords, type ManifestObject, type ReleaseRecord } from '../helm/storage.js';
import { prepareDeploy, type PrepareOptions, type PreparedDeploy } from '../prepare.js';
import { diffObjects, type ObjectDiff } from './objects.js';

export interface DeployDiff {
  release: string;
  namespace: string;
  /** The revision compared against: the last deployed one, else the newest; null for a first install. */
  against: { revision: number; status: string } | null;
  objects: ObjectDiff[];
  /** How many objects are added, removed and changed (unchanged ones are not counted). */
  changes: number;
}

/** The release's last deployed revision (what runs), else its newest, else undefined. */
async function currentRelease(prepared: PreparedDeploy): Promise<ReleaseRecord | undefined> {
  const records = await releaseRecords(prepared.kube, {
    namespace: prepared.target.namespace,
    release: prepared.target.release,
    driver: prepared.driver,
  });
  return records.find((record) => record.status === 'deployed') ?? records[0];
}

const withHooks = (record: ReleaseRecord): ManifestObject[] => [
  ...record.objects,
  ...record.hooks.flatMap((hook) => (hook.object === undefined ? [] : [hook.object])),
];

export async function diffDeploy(options: Omit<PrepareOptions, 'createNamespace'>): Promise<DeployDiff> {
  const prepared = await prepareDeploy({ ...options, createNamespace: 'skip' });
  const { target, values } = prepared;
  try {
    const current = await currentRelease(prepared);
    const exit = await runHelm({
      args: templateArgs({
        release: target.release,
        chart: target.chart,
        namespace: target.namespace,
        kubeconfig: prepared.kubeconfig,
        context: prepared.context,
        isUpgrade: current !== undefined,
        valuesArgs: values.args,
      }),
      env: prepared.processEnv,
      channel: values.channel,
      redact: values.redact,
      captureStdout: true,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (exit.code !== 0) {
      const error = helmError(exit);
      // Exit 5 (a peer failed), not 1: with --exit-code, 1 means "there are changes".
      throw deployError('helm-failed', `helm template failed: ${error || 'no error message'}`, {
        exitCode: ExitCode.peer,
        hint: explainHelmError(error, target).hint,
      });
    }
    const objects = diffObjects(
      current === undefined ? [] : withHooks(current),
      parseManifest(exit.stdout),
      target.namespace,
    );
    return {
      release: target.release,
      namespace: target.namespace,
      against: current === undefined ? null : { revision: current.revision, status: current.status },
      objects,
      changes: objects.filter((object) => object.change !== 'unchanged').length,
    };
  } finally {
    values.channel.dispose();
  }
}
