import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as age from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { findPeer } from '../../core/peers.js';
import { decryptX25519, encryptX25519 } from './age-x25519.js';

const identity = await age.generateX25519Identity();
const recipient = await age.identityToRecipient(identity);
const other = await age.generateX25519Identity();

function ageBinary(): string {
  const bin = findPeer('age');
  if (bin === undefined) throw new Error('age is not installed: npm run peers -- --only age');
  return bin;
}

describe('age X25519 on node:crypto', () => {
  it('round-trips, and the age-encryption library reads what it writes', async () => {
    const dataKey = randomBytes(32);
    const armored = encryptX25519([recipient], dataKey);
    expect(Buffer.from(decryptX25519(armored, [identity]))).toEqual(dataKey);
    const decrypter = new age.Decrypter();
    decrypter.addIdentity(identity);
    expect(Buffer.from(await decrypter.decrypt(age.armor.decode(armored)))).toEqual(dataKey);
  });

  it('reads what the age-encryption library writes, for any of several recipients', async () => {
    const encrypter = new age.Encrypter();
    encrypter.addRecipient(await age.identityToRecipient(other));
    encrypter.addRecipient(recipient);
    const armored = age.armor.encode(await encrypter.encrypt('the data key'));
    expect(Buffer.from(decryptX25519(armored, [identity])).toString()).toBe('the data key');
  });

  it('interoperates with the age binary in both directions, across STREAM chunk boundaries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'age-x25519-'));
    const keyFile = join(dir, 'key.txt');
    writeFileSync(keyFile, `${identity}\n`);
    // Empty, one byte, exactly one 64 KiB chunk, and a bit over two chunks.
    for (const size of [0, 1, 64 * 1024, 2 * 64 * 1024 + 5]) {
      const plain = randomBytes(size);
      const ours = encryptX25519([recipient], plain);
      const decrypted = spawnSync(ageBinary(), ['--decrypt', '-i', keyFile], { input: ours });
      expect(decrypted.status, decrypted.stderr.toString()).toBe(0);
      expect(decrypted.stdout).toEqual(plain);
      const theirs = spawnSync(ageBinary(), ['--encrypt', '--armor', '-r', recipient], { input: plain });
      expect(theirs.status, theirs.stderr.toString()).toBe(0);
      expect(Buffer.from(decryptX25519(theirs.stdout.toString(), [identity]))).toEqual(plain);
    }
  });

  it('uses a fresh ephemeral share, file key and nonce every time', () => {
    const dataKey = randomBytes(32);
    expect(encryptX25519([recipient], dataKey)).not.toBe(encryptX25519([recipient], dataKey));
  });

  it('refuses a file for someone else, a forged header and a tampered payload', () => {
    const armored = encryptX25519([recipient], randomBytes(32));
    expect(() => decryptX25519(armored, [other])).toThrow("no identity matched any of the file's recipients");
    const file = Buffer.from(armored.split('\n').slice(1, -2).join(''), 'base64');
    const rearmor = (bytes: Buffer): string =>
      `-----BEGIN AGE ENCRYPTED FILE-----\n${(bytes.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END AGE ENCRYPTED FILE-----\n`;
    // A second stanza added to the header: the MAC no longer matches.
    const text = file.toString('latin1');
    const at = text.indexOf('\n---') + 1;
    const forged = Buffer.from(
      `${text.slice(0, at)}-> X25519 ${'A'.repeat(43)}\n${'A'.repeat(43)}\n${text.slice(at)}`,
      'latin1',
    );
    expect(() => decryptX25519(rearmor(forged), [identity])).toThrow(
      /invalid header HMAC|invalid X25519 stanza/,
    );
    const tampered = Buffer.from(file);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(() => decryptX25519(rearmor(tampered), [identity])).toThrow('failed to decrypt payload chunk');
  });

  it('refuses malformed armor and keys', () => {
    const armored = encryptX25519([recipient], randomBytes(32));
    expect(() => decryptX25519(armored.replace('BEGIN AGE', 'BEGIN PGP'), [identity])).toThrow(
      'invalid header',
    );
    expect(() => decryptX25519(armored.replace(/\n(.)/, '\n$1$1'), [identity])).toThrow(
      'invalid line length',
    );
    // Swap the last checksum character for a different one (the key is random, so its last
    // character may already be any bech32 character).
    const wrongLast = recipient.endsWith('q') ? 'p' : 'q';
    expect(() => encryptX25519([`${recipient.slice(0, -1)}${wrongLast}`], randomBytes(32))).toThrow(
      /checksum/,
    );
    expect(() =>
      decryptX25519(armored, [identity.toLowerCase().replace('age-secret', 'AGE-SECRET')]),
    ).toThrow(/mixed case/);
  });
});
