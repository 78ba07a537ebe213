/**
 * AWS credentials for signing, from the SDK's default chain: environment, shared config and
 * credentials files (profiles, SSO sessions, credential_process, role chaining with MFA), web
 * identity, container and instance metadata. With `--role` the resolved credentials assume that
 * role first. Prompts (MFA codes) go to stderr; stdout carries only the ExecCredential.
 */
import { ChartroomError, ExitCode, toChartroomError } from '../../core/errors.js';
import type { AwsCredentials } from './presign.js';

export type Prompt = (question: string) => Promise<string>;

export interface ResolveCredentialsOptions {
  region: string;
  roleArn?: string;
  sessionName: string;
  env: NodeJS.ProcessEnv;
  /** Asks the user for an MFA code; undefined when nobody can answer (no terminal). */
  prompt?: Prompt;
  signal?: AbortSignal;
}

/**
 * Static keys in the environment, read from the given env (not process.env) so callers and tests
 * control it; this is also the SDK chain's first step, taken here without loading the SDK.
 */
function fromGivenEnv(env: NodeJS.ProcessEnv): AwsCredentials | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (
    accessKeyId === undefined ||
    accessKeyId === '' ||
    secretAccessKey === undefined ||
    secretAccessKey === ''
  ) {
    return undefined;
  }
  const expiration = env.AWS_CREDENTIAL_EXPIRATION;
  return {
    accessKeyId,
    secretAccessKey,
    ...(env.AWS_SESSION_TOKEN === undefined || env.AWS_SESSION_TOKEN === ''
      ? {}
      : { sessionToken: env.AWS_SESSION_TOKEN }),
    ...(expiration === undefined || expiration === '' ? {} : { expiration: new Date(expiration) }),
  };
}

export async function resolveCredentials(options: ResolveCredentialsOptions): Promise<AwsCredentials> {
  const fromEnv = fromGivenEnv(options.env);
  if (fromEnv !== undefined && options.roleArn === undefined) return fromEnv;
  const { fromNodeProviderChain, fromTemporaryCredentials } = await import('@aws-sdk/credential-providers');
  const mfaCodeProvider = async (serial: string): Promise<string> => {
    if (options.prompt === undefined) {
      throw new ChartroomError(`an MFA code is needed for ${serial}, but there is no terminal to ask`, {
        code: 'mfa-needs-terminal',
        exitCode: ExitCode.permission,
        hint: 'Run the same `chartroom access token` command once in a terminal; the token is cached for 13 minutes.',
      });
    }
    return (await options.prompt(`Assume Role MFA token code for ${serial}: `)).trim();
  };
  const profile = options.env.AWS_PROFILE ?? options.env.AWS_DEFAULT_PROFILE;
  const base =
    fromEnv !== undefined
      ? () => Promise.resolve(fromEnv)
      : fromNodeProviderChain({
          ...(profile === undefined ? {} : { profile }),
          ...(options.env.AWS_SHARED_CREDENTIALS_FILE === undefined
            ? {}
            : { filepath: options.env.AWS_SHARED_CREDENTIALS_FILE }),
          ...(options.env.AWS_CONFIG_FILE === undefined
            ? {}
            : { configFilepath: options.env.AWS_CONFIG_FILE }),
          mfaCodeProvider,
          clientConfig: { region: options.region },
        });
  const provider =
    options.roleArn === undefined
      ? base
      : fromTemporaryCredentials({
          masterCredentials: base,
          params: { RoleArn: options.roleArn, RoleSessionName: options.sessionName },
          clientConfig: { region: options.region },
        });
  try {
    const credentials = await provider();
    return {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken === undefined ? {} : { sessionToken: credentials.sessionToken }),
      ...(credentials.expiration === undefined ? {} : { expiration: credentials.expiration }),
    };
  } catch (error) {
    if (error instanceof ChartroomError) throw error;
    // STS that cannot be reached is the network (exit 6), not a role the credentials may not assume.
    const unreachable = toChartroomError(error);
    if (unreachable.code === 'unreachable')
      throw new ChartroomError(`could not get AWS credentials: ${unreachable.message}`, {
        code: 'unreachable',
        exitCode: ExitCode.remote,
        ...(unreachable.hint === undefined ? {} : { hint: unreachable.hint }),
        cause: error,
      });
    const message = error instanceof Error ? error.message : String(error);
    throw new ChartroomError(`could not get AWS credentials: ${message}`, {
      code: 'aws-credentials',
      exitCode: ExitCode.permission,
      hint:
        options.roleArn === undefined
          ? 'Set AWS_PROFILE (run `aws sso login` for SSO profiles) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.'
          : `Check that your credentials may assume ${options.roleArn}.`,
      cause: error,
    });
  }
}
