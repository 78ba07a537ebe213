import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accessFixture, readAccessFixture } from '../testing/fixtures.js';
import { parseMapping } from './aws-auth.js';
import { MappingError } from './errors.js';

interface AwsAuthCases {
  cases: {
    file: string;
    expectCreateError: boolean;
    expectedRoleMappings: { rolearn: string; username: string; groups: string[] }[];
    expectedUserMappings: { userarn: string; username: string; groups: string[] }[];
    expectedAccounts: string[];
    note: string;
  }[];
}

const fixture = readAccessFixture('aws-auth-cases.json') as AwsAuthCases;
const parse = (file: string) => parseMapping(readFileSync(accessFixture(file), 'utf8'), file);

/** Where Chartroom is stricter than the authenticator: loading nothing from a typo is a lock-out. */
const refusedByUs: Record<string, { line: number; message: string }> = {
  'aws-auth-variants/aws-auth-lower-case-top-keys.yaml': {
    line: 7,
    message: 'unknown key maproles: keys are case-sensitive, write mapRoles',
  },
  'aws-auth-variants/aws-auth-crazy-case-top-keys.yaml': {
    line: 7,
    message: 'unknown key MaPrOlEs: keys are case-sensitive, write mapRoles',
  },
  'aws-auth-variants/aws-auth-missing-bar.yaml': { line: 8, message: 'data.mapRoles must be a string' },
};

describe('aws-auth ConfigMaps (TestConfigMap fixtures)', () => {
  it.each(fixture.cases)('$file', (testCase) => {
    const refusal = refusedByUs[testCase.file];
    if (refusal !== undefined) {
      // Upstream: nothing loaded (or the ConfigMap cannot be created). Here: refused, with the line.
      expect(testCase.expectCreateError || testCase.expectedRoleMappings.length === 0).toBe(true);
      expect(() => parse(testCase.file)).toThrow(MappingError);
      expect(() => parse(testCase.file)).toThrow(`${testCase.file}:${refusal.line}: ${refusal.message}`);
      return;
    }
    const config = parse(testCase.file);
    expect(config.roles.map((r) => ({ rolearn: r.roleArn, username: r.username, groups: r.groups }))).toEqual(
      testCase.expectedRoleMappings,
    );
    expect(config.users.map((u) => ({ userarn: u.userArn, username: u.username, groups: u.groups }))).toEqual(
      testCase.expectedUserMappings,
    );
    expect(config.accounts).toEqual(testCase.expectedAccounts);
    expect(config.roles[0]?.line).toBe(8);
    expect(config.warnings.some((w) => w.includes('EC2PrivateDNSName'))).toBe(true);
  });

  it('warns about the space out of place that turns two groups into one', () => {
    const config = parse('aws-auth-variants/aws-auth-space-out-of-place.yaml');
    expect(config.warnings).toContain(
      'aws-auth-variants/aws-auth-space-out-of-place.yaml:11: group "system:bootstrappers - system:nodes" contains whitespace (an indentation slip?)',
    );
  });
});

describe('parseMapping refuses a bad mapping with the line at fault', () => {
  const configMap = (mapRoles: string) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\ndata:\n  mapRoles: |\n${mapRoles.replace(/^/gm, '    ')}\n`;
  const cases: [string, string, string][] = [
    [
      'a YAML error inside mapRoles',
      '- rolearn: arn:aws:iam::111122223333:role/Dev\n  username: dev\n  groups: [a\n',
      ':9: mapRoles is not valid YAML',
    ],
    [
      'a misspelt key',
      '- rolearn: arn:aws:iam::111122223333:role/Dev\n  usrname: dev\n',
      ':8: unknown key "usrname"',
    ],
    [
      'a malformed ARN',
      '- rolearn: arn:aws:iam::1111:role/Dev\n  username: dev\n',
      ':7: rolearn "arn:aws:iam::1111:role/Dev" is not an IAM role ARN',
    ],
    [
      'a user ARN under mapRoles',
      '- rolearn: arn:aws:iam::111122223333:user/dev\n  username: dev\n',
      ':7: rolearn',
    ],
    [
      'a missing username',
      '- rolearn: arn:aws:iam::111122223333:role/Dev\n  groups: [a]\n',
      ':7: entry has no username',
    ],
    [
      'an unknown template',
      '- rolearn: arn:aws:iam::111122223333:role/Dev\n  username: dev:{{Sesion}}\n',
      ':7: unknown template variable {{Sesion}}',
    ],
    [
      'a duplicate role (paths ignored)',
      '- rolearn: arn:aws:iam::111122223333:role/Dev\n  username: a\n- rolearn: arn:aws:iam::111122223333:role/team/Dev\n  username: b\n',
      ':9: arn:aws:iam::111122223333:role/team/Dev is mapped twice (first at line 7)',
    ],
  ];
  it.each(cases)('%s', (_name, body, expected) => {
    expect(() => parseMapping(configMap(body), 'aws-auth.yaml')).toThrow(`aws-auth.yaml${expected}`);
  });

  it('reads the plain-list form and keeps leading zeros of account ids', () => {
    const config = parseMapping(
      'mapAccounts:\n  - 012345678901\nmapUsers:\n  - userarn: arn:aws:iam::012345678901:user/ops\n    username: ops\n',
      'server.yaml',
    );
    expect(config.accounts).toEqual(['012345678901']);
    expect(config.users).toEqual([
      { userArn: 'arn:aws:iam::012345678901:user/ops', username: 'ops', groups: [], line: 4 },
    ]);
    expect(() => parseMapping('mapAccounts:\n  - 12345\n', 'server.yaml')).toThrow(
      'server.yaml:2: mapAccounts entry "12345" is not a 12-digit account id',
    );
  });
});
