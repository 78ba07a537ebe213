/**
 * A cluster that is not in the catalog, looked up with EKS DescribeCluster (the AWS SDK honours
 * AWS_ENDPOINT_URL_EKS, so it also works against an emulator).
 */
import { ChartroomError, ExitCode } from '../../core/errors.js';
import type { KubeconfigTarget } from './entries.js';

export async function describeEksCluster(options: {
  name: string;
  region: string;
  env: NodeJS.ProcessEnv;
}): Promise<KubeconfigTarget> {
  const [{ EKSClient, DescribeClusterCommand }, { resolveCredentials }] = await Promise.all([
    import('@aws-sdk/client-eks'),
    import('../token/credentials.js'),
  ]);
  const credentials = await resolveCredentials({
    region: options.region,
    sessionName: 'chartroom',
    env: options.env,
  });
  const endpoint = options.env.AWS_ENDPOINT_URL_EKS ?? options.env.AWS_ENDPOINT_URL;
  const client = new EKSClient({
    region: options.region,
    credentials,
    ...(endpoint === undefined ? {} : { endpoint }),
  });
  let cluster;
  try {
    cluster = (await client.send(new DescribeClusterCommand({ name: options.name }))).cluster;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ChartroomError(`EKS DescribeCluster ${options.name} in ${options.region} failed: ${message}`, {
      code: 'eks-describe',
      exitCode:
        (error as { name?: string }).name === 'ResourceNotFoundException'
          ? ExitCode.notFound
          : ExitCode.remote,
      hint: 'Check the cluster name, --region and your AWS credentials, or add the cluster to the clusters catalog.',
      cause: error,
    });
  } finally {
    client.destroy();
  }
  if (cluster?.endpoint === undefined || cluster.certificateAuthority?.data === undefined) {
    throw new ChartroomError(
      `EKS cluster ${options.name} has no endpoint yet (status ${cluster?.status ?? 'unknown'})`,
      {
        code: 'eks-not-ready',
        exitCode: ExitCode.remote,
        hint: 'Wait until the cluster is ACTIVE.',
      },
    );
  }
  return {
    cluster: options.name,
    server: cluster.endpoint,
    certificateAuthorityData: cluster.certificateAuthority.data,
    region: options.region,
    // Outposts local clusters sign for their id; every other cluster for its name.
    tokenClusterId: cluster.outpostConfig === undefined ? options.name : (cluster.id ?? options.name),
  };
}
