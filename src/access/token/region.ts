import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The region to sign for when `--region` is not given: AWS_REGION, AWS_DEFAULT_REGION, the
 * profile's `region` in the shared config file, then us-east-1 (as aws-iam-authenticator falls
 * back). Instance metadata is not asked: that probe can stall for seconds off EC2
 * (kubernetes-sigs/aws-iam-authenticator#347), and this runs on every kubectl call.
 */
export function defaultRegion(env: NodeJS.ProcessEnv): string {
  const fromEnv = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const profile = env.AWS_PROFILE ?? env.AWS_DEFAULT_PROFILE ?? 'default';
  const path = env.AWS_CONFIG_FILE ?? join(env.HOME ?? homedir(), '.aws', 'config');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return 'us-east-1';
  }
  const wanted = profile === 'default' ? ['default', 'profile default'] : [`profile ${profile}`];
  let inSection = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const section = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (section !== null) {
      inSection = wanted.includes(section[1] ?? '');
      continue;
    }
    const setting = /^region\s*=\s*(\S+)/.exec(line);
    if (inSection && setting?.[1] !== undefined) return setting[1];
  }
  return 'us-east-1';
}
