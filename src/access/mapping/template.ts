/**
 * Username and group templates of aws-auth: {{AccountID}}, {{SessionName}} (with `@` turned into
 * `-`, as the authenticator does), {{SessionNameRaw}} and {{AccessKeyID}}.
 * {{EC2PrivateDNSName}} needs an ec2:DescribeInstances call per node; Chartroom does not make it,
 * so entries using it load (the stock aws-auth has one for nodes) but never authenticate anyone.
 */
import type { CallerIdentity } from '../verify/identity.js';

const supported = ['AccountID', 'SessionName', 'SessionNameRaw', 'AccessKeyID'];
const unsupported = ['EC2PrivateDNSName'];

export function checkTemplate(template: string): { error?: string; warning?: string } {
  const rest = template.replace(/\{\{[A-Za-z0-9]+\}\}/g, '');
  if (rest.includes('{{') || rest.includes('}}')) {
    return { error: `unbalanced {{ }} in ${JSON.stringify(template)}` };
  }
  for (const [, name = ''] of template.matchAll(/\{\{([A-Za-z0-9]+)\}\}/g)) {
    if (unsupported.includes(name))
      return { warning: `{{${name}}} is not supported: this entry will not authenticate anyone` };
    if (!supported.includes(name))
      return {
        error: `unknown template variable {{${name}}} (known: ${supported.map((s) => `{{${s}}}`).join(', ')})`,
      };
  }
  return {};
}

/** Renders a template for an identity; undefined when it uses something we cannot fill. */
export function renderTemplate(template: string, identity: CallerIdentity): string | undefined {
  const missing: string[] = [];
  const rendered = template.replace(/\{\{([A-Za-z0-9]+)\}\}/g, (_match, name: string) => {
    switch (name) {
      case 'AccountID':
        return identity.accountId;
      case 'SessionName':
        return identity.sessionName.replace(/@/g, '-');
      case 'SessionNameRaw':
        return identity.sessionName;
      case 'AccessKeyID':
        return identity.accessKeyId;
      default:
        missing.push(name);
        return '';
    }
  });
  return missing.length > 0 ? undefined : rendered;
}
