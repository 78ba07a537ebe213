/**
 * Who is running the CLI, as STS says (GetCallerIdentity with the caller's own credentials):
 * requests are filed under, and decisions made by, that identity, not a name anyone could type.
 */
import { ChartroomError, ExitCode } from '../../core/errors.js';
import { canonicalizeArn } from '../verify/arn.js';
import type { Principal } from './types.js';

export async function currentPrincipal(options: {
  region: string;
  env: NodeJS.ProcessEnv;
  roleArn?: string;
}): Promise<Principal> {
  const [{ STSClient, GetCallerIdentityCommand }, { resolveCredentials }] = await Promise.all([
    import('@aws-sdk/client-sts'),
    import('../token/credentials.js'),
  ]);
  const credentials = await resolveCredentials({
    region: options.region,
    sessionName: 'chartroom',
    env: options.env,
    ...(options.roleArn === undefined ? {} : { roleArn: options.roleArn }),
  });
  const endpoint = options.env.AWS_ENDPOINT_URL_STS ?? options.env.AWS_ENDPOINT_URL;
  const client = new STSClient({
    region: options.region,
    credentials,
    ...(endpoint === undefined ? {} : { endpoint }),
  });
  try {
    const answer = await client.send(new GetCallerIdentityCommand({}));
    const arn = answer.Arn ?? '';
    const { canonical, type } = canonicalizeArn(arn);
    const rawUserId = answer.UserId ?? '';
    // As the verifier does: only a role's UserId carries a `:session` suffix to drop.
    const userId = type === 'role' || type === 'assumed-role' ? (rawUserId.split(':')[0] ?? '') : rawUserId;
    return { arn, canonicalArn: canonical, userId };
  } catch (error) {
    throw new ChartroomError(
      `could not find out who you are (STS GetCallerIdentity): ${error instanceof Error ? error.message : String(error)}`,
      {
        code: 'aws-identity',
        exitCode: ExitCode.remote,
        hint: 'Check your AWS credentials (AWS_PROFILE, `aws sso login`).',
        cause: error,
      },
    );
  } finally {
    client.destroy();
  }
}
