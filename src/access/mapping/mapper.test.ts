import { describe, expect, it } from 'vitest';
import type { CallerIdentity } from '../verify/identity.js';
import { MappingError } from './errors.js';
import { IdentityMapper } from './mapper.js';

const bob: CallerIdentity = {
  arn: 'arn:aws:sts::111122223333:assumed-role/Developers/bob@example.com',
  canonicalArn: 'arn:aws:iam::111122223333:role/Developers',
  accountId: '111122223333',
  userId: 'AROADEVELOPERS',
  sessionName: 'bob@example.com',
  accessKeyId: 'ASIABOB',
  stsEndpoint: 'sts.eu-west-1.amazonaws.com',
};
const carol: CallerIdentity = {
  ...bob,
  arn: 'arn:aws:iam::444455556666:user/carol',
  canonicalArn: 'arn:aws:iam::444455556666:user/carol',
  accountId: '444455556666',
  userId: 'AIDACAROL',
  sessionName: '',
};

const mapping = `
mapRoles:
  - rolearn: arn:aws:iam::111122223333:role/teams/web/Developers
    username: dev:{{SessionName}}
    groups: [developers, "acct-{{AccountID}}", "raw-{{SessionNameRaw}}", "key-{{AccessKeyID}}"]
  - rolearn: arn:aws:iam::111122223333:role/Nodes
    username: system:node:{{EC2PrivateDNSName}}
mapAccounts: ["444455556666"]
`;

describe('IdentityMapper', () => {
  it('matches a role mapped with a path (aws-iam-authenticator#268) and renders every template', async () => {
    const mapper = new IdentityMapper();
    mapper.load(mapping, 'm.yaml');
    expect(await mapper.map(bob)).toEqual({
      username: 'dev:bob-example.com',
      uid: 'chartroom:111122223333:AROADEVELOPERS',
      groups: ['developers', 'acct-111122223333', 'raw-bob@example.com', 'key-ASIABOB'],
      extra: {
        arn: [bob.arn],
        canonicalArn: [bob.canonicalArn],
        sessionName: ['bob@example.com'],
        accessKeyId: ['ASIABOB'],
        principalId: ['AROADEVELOPERS'],
      },
    });
  });

  it('maps a whole account to the caller ARN, matches case-insensitively, denies unknown and unrenderable', async () => {
    const mapper = new IdentityMapper();
    mapper.load(mapping, 'm.yaml');
    expect(await mapper.map(carol)).toMatchObject({ username: carol.canonicalArn, groups: [] });
    expect(
      await mapper.map({ ...bob, canonicalArn: 'arn:aws:iam::111122223333:role/DEVELOPERS' }),
    ).toMatchObject({ username: 'dev:bob-example.com' });
    expect(
      await mapper.map({ ...bob, canonicalArn: 'arn:aws:iam::111122223333:role/Other' }),
    ).toBeUndefined();
    expect(
      await mapper.map({
        ...bob,
        canonicalArn: 'arn:aws:iam::111122223333:role/Nodes',
        sessionName: 'i-0123456789abcdef0',
      }),
    ).toBeUndefined();
  });

  it('keeps the last good mapping when a bad one is loaded', async () => {
    const mapper = new IdentityMapper();
    mapper.load(mapping, 'm.yaml');
    expect(() => mapper.load(mapping.replace('username: dev:', 'usernme: dev:'), 'm.yaml')).toThrow(
      MappingError,
    );
    expect(mapper.current.roles).toHaveLength(2);
    expect(await mapper.map(bob)).toMatchObject({ username: 'dev:bob-example.com' });
  });

  it('adds the groups of grants in force, and gives an unmapped caller its ARN as username', async () => {
    const at = new Date('2024-06-01T00:00:00Z');
    const mapper = new IdentityMapper({
      now: () => at,
      grants: (identity, when) =>
        Promise.resolve(
          identity.arn === bob.arn && when === at
            ? [{ id: 'g1', group: 'chartroom:grant:g1', expiresAt: new Date('2024-06-01T08:00:00Z') }]
            : [],
        ),
    });
    expect(await mapper.map(bob)).toMatchObject({
      username: bob.arn,
      groups: ['chartroom:grant:g1'],
      extra: { 'chartroom.dev/grants': ['g1'] },
    });
    mapper.load(mapping, 'm.yaml');
    expect(await mapper.map(bob)).toMatchObject({
      username: 'dev:bob-example.com',
      groups: ['developers', 'acct-111122223333', 'raw-bob@example.com', 'key-ASIABOB', 'chartroom:grant:g1'],
    });
  });
});
