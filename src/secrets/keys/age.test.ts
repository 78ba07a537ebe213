import { randomBytes } from 'node:crypto';
import * as age from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { AgeKey } from './age.js';

const env = (...identities: string[]): NodeJS.ProcessEnv => ({
  SOPS_AGE_KEY: identities.join('\n'),
  HOME: '/nonexistent-home',
});

describe('AgeKey', () => {
  it('wraps a data key for an X25519 recipient on node:crypto; the library opens it', async () => {
    const identity = await age.generateX25519Identity();
    const key = new AgeKey(await age.identityToRecipient(identity));
    const dataKey = randomBytes(32);
    await key.encrypt(dataKey);
    expect(key.encryptedKey).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n/);
    expect(Buffer.from(await key.decrypt({ env: env(identity) }))).toEqual(dataKey);
    const decrypter = new age.Decrypter();
    decrypter.addIdentity(identity);
    expect(Buffer.from(await decrypter.decrypt(age.armor.decode(key.encryptedKey)))).toEqual(dataKey);
  });

  it('hands hybrid post-quantum keys (age1pq1…) to the age-encryption library, both ways', async () => {
    const hybrid = await age.generateHybridIdentity();
    const x25519 = await age.generateX25519Identity();
    const key = new AgeKey(await age.identityToRecipient(hybrid));
    expect(key.recipient).toMatch(/^age1pq1/);
    const dataKey = randomBytes(32);
    await key.encrypt(dataKey);
    // An X25519 identity among the identities does not stop the hybrid one from opening it.
    expect(Buffer.from(await key.decrypt({ env: env(x25519, hybrid) }))).toEqual(dataKey);
  });

  it('says which file key did not open with the identities at hand', async () => {
    const key = new AgeKey(await age.identityToRecipient(await age.generateX25519Identity()));
    await key.encrypt(randomBytes(32));
    await expect(key.decrypt({ env: env(await age.generateX25519Identity()) })).rejects.toThrow(
      "failed to decrypt sops data key with age: no identity matched any of the file's recipients",
    );
  });
});
