import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValueCipher } from './cipher.js';

const key = randomBytes(32);
const AAD = 'a:';

/** A stored value with chosen plaintext bytes and type, as another tool might have written it. */
function sealed(plain: string, type: string, iv = randomBytes(32)): string {
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(AAD));
  const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${c.getAuthTag().toString('base64')},type:${type}]`;
}

const ivOf = (enc: string): string => /iv:([^,]+)/.exec(enc)?.[1] ?? '';

describe('ValueCipher', () => {
  it('rejects base64 that Go StdEncoding rejects (unpadded, stray characters)', () => {
    const good = sealed('hello', 'str');
    expect(new ValueCipher().decrypt(good, key, AAD)).toBe('hello');
    const data = /data:([^,]+)/.exec(good)?.[1] ?? '';
    for (const bad of [data.replace(/=+$/, ''), `${data.slice(0, 2)}*${data.slice(3)}`, `${data}====`]) {
      expect(() => new ValueCipher().decrypt(good.replace(data, bad), key, AAD)).toThrow(
        /illegal base64 data/,
      );
    }
  });

  it('keeps the IV of a value encrypted back to the same bytes', () => {
    const cipher = new ValueCipher();
    const enc = sealed('s3cret', 'str');
    const value = cipher.decrypt(enc, key, AAD);
    expect(cipher.encrypt(value as string, key, AAD)).toBe(enc);
    const n = sealed('42', 'int');
    const int = cipher.decrypt(n, key, AAD);
    expect(cipher.encrypt(int as bigint, key, AAD)).toBe(n);
  });

  it('never reuses an IV for other bytes when a value normalizes ("007" → 7, "true" → True)', () => {
    const cipher = new ValueCipher();
    for (const [plain, type] of [
      ['007', 'int'],
      ['true', 'bool'],
      ['1.50', 'float'],
    ] as const) {
      const enc = sealed(plain, type);
      const value = cipher.decrypt(enc, key, AAD);
      const again = cipher.encrypt(value, key, AAD);
      expect(ivOf(again), `${type} ${plain}`).not.toBe(ivOf(enc));
    }
  });

  it('reads odd values as sops\'s regex does (fields split at the last match, text after "]")', () => {
    const cipher = new ValueCipher({ rememberIvs: false });
    const good = sealed('hello', 'str');
    expect(cipher.decrypt(`${good} trailing`, key, AAD)).toBe('hello');
    const noData = good.replace(/data:[^,]+/, 'data:');
    expect(() => cipher.decrypt(noData, key, AAD)).toThrow("does not match sops' data format");
    const broken = good.replace('type:str', 'type:st\nr');
    expect(() => cipher.decrypt(broken, key, AAD)).toThrow("does not match sops' data format");
    // A tag split differently between data and tag still opens: Go takes the last 16 bytes.
    const data = Buffer.from(/data:([^,]+)/.exec(good)?.[1] ?? '', 'base64');
    const tag = Buffer.from(/tag:([^,]+)/.exec(good)?.[1] ?? '', 'base64');
    const moved = good
      .replace(/data:[^,]+/, `data:${Buffer.concat([data, tag.subarray(0, 4)]).toString('base64')}`)
      .replace(/tag:[^,]+/, `tag:${tag.subarray(4).toString('base64')}`);
    expect(cipher.decrypt(moved, key, AAD)).toBe('hello');
  });

  it('draws a fresh IV for every value', () => {
    const cipher = new ValueCipher();
    const ivs = new Set(Array.from({ length: 2000 }, () => ivOf(cipher.encrypt('same', key, AAD))));
    expect(ivs.size).toBe(2000);
  });
});
