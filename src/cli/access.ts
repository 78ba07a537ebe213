/**
 * `chartroom access …`: tokens, kubeconfigs, the TokenReview webhook and access requests.
 * Every action imports the capability lazily: `access token` runs on each kubectl call, so its
 * start-up must not pay for YAML, HTTP servers or the AWS SDK it does not need.
 */
import type { Command } from 'commander';
import { contextFor, type CliIo } from './context.js';
import type { CommandGroup } from './groups.js';
import { registerAccessKubeconfig } from './access-kubeconfig.js';
import { registerAccessRequests } from './access-requests.js';
import { registerAccessWebhook } from './access-webhook.js';

export const accessGroup: CommandGroup = (program: Command, io: CliIo) => {
  const access = program
    .command('access')
    .description(
      'cluster access: IAM tokens, kubeconfigs, the TokenReview webhook, time-boxed access requests',
    );

  access
    .command('token')
    .description('print an ExecCredential with an aws-iam-authenticator token (a kubectl exec plugin)')
    .requiredOption('-i, --cluster-id <id>', 'the cluster id the token is for (the EKS cluster name)')
    .option('-r, --role <arn>', 'assume this IAM role first')
    .option(
      '--region <region>',
      'region of the STS endpoint to sign for (default: AWS_REGION, the profile, us-east-1)',
    )
    .option('--session-name <name>', 'session name when assuming --role (default chartroom-<user>)')
    .option('--token-only', 'print only the token, not the ExecCredential')
    .option('--no-cache', 'sign a new token even if a cached one is still good')
    .action(async (options: TokenFlags, command: Command) => {
      const ctx = contextFor(command, io);
      const { getClusterToken, readExecInfo, tokenCommandOutput } = await import('../access/index.js');
      const execInfo = readExecInfo(ctx.env);
      const result = await getClusterToken({
        clusterId: options.clusterId,
        ...(options.region === undefined ? {} : { region: options.region }),
        ...(options.role === undefined ? {} : { roleArn: options.role }),
        ...(options.sessionName === undefined ? {} : { sessionName: options.sessionName }),
        env: ctx.env,
        cache: options.cache,
        signal: ctx.signal,
        ...(canPrompt(execInfo.interactive)
          ? { prompt: (question: string) => promptOnStderr(io, question) }
          : {}),
      });
      ctx.out.raw(tokenCommandOutput({ ...result, tokenOnly: options.tokenOnly === true, env: ctx.env }));
    });

  registerAccessKubeconfig(access, io);
  registerAccessWebhook(access, io);
  registerAccessRequests(access, io);
};

interface TokenFlags {
  clusterId: string;
  role?: string;
  region?: string;
  sessionName?: string;
  tokenOnly?: boolean;
  cache: boolean;
}

/** kubectl hands the plugin its terminal only in interactive mode; otherwise nobody could answer. */
function canPrompt(interactive: boolean): boolean {
  return process.stdin.isTTY || interactive;
}

async function promptOnStderr(io: CliIo, question: string): Promise<string> {
  const { createInterface } = await import('node:readline');
  io.stderr.write(question);
  const reader = createInterface({ input: process.stdin, terminal: false });
  try {
    return await new Promise<string>((resolve, reject) => {
      reader.once('line', resolve);
      reader.once('close', () => {
        reject(new Error('no answer: standard input was closed'));
      });
    });
  } finally {
    reader.close();
  }
}
