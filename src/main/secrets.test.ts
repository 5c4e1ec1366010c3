import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretStore, type SecretCipher } from './secrets';

/** A real AES-GCM cipher standing in for Electron's safeStorage (which needs the Electron binary). */
function aesCipher(): SecretCipher {
  const key = randomBytes(32);
  return {
    isAvailable: () => true,
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
    },
    decrypt(b64) {
      const buf = Buffer.from(b64, 'base64');
      const d = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
      d.setAuthTag(buf.subarray(12, 28));
      return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

describe('SecretStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cr-secrets-'));
  writeFileSync(join(dir, 'key.txt'), 's3cret-from-file\n');

  it('resolves literal, env and file references (file relative to the config folder, trailing newline dropped)', () => {
    const s = new SecretStore({ MY_KEY: 'from-env' }, dir);
    expect(s.resolve('lit', 'a')).toBe('lit');
    expect(s.resolve({ env: 'MY_KEY' }, 'a')).toBe('from-env');
    expect(s.resolve({ file: 'key.txt' }, 'a')).toBe('s3cret-from-file');
    expect(s.resolve(undefined, 'a')).toBeUndefined();
  });

  it('explains a missing env var or file with the field path', () => {
    const s = new SecretStore({}, dir);
    expect(() => s.resolve({ env: 'NOPE' }, 'wandb.apiKey')).toThrow(
      'wandb.apiKey: environment variable NOPE is not set',
    );
    expect(() => s.resolve({ file: 'missing.txt' }, 'discord.webhookUrl')).toThrow(
      /discord\.webhookUrl: cannot read secret file missing\.txt: ENOENT/,
    );
  });

  it('reports status without the value', () => {
    const s = new SecretStore({ SET: 'x' }, dir);
    expect(s.status(undefined)).toEqual({ set: false, source: null });
    expect(s.status('value')).toEqual({ set: true, source: 'literal' });
    expect(s.status({ env: 'SET' })).toEqual({ set: true, source: 'env', ref: 'SET' });
    expect(s.status({ env: 'UNSET' })).toEqual({ set: false, source: 'env', ref: 'UNSET' });
    expect(s.status({ file: 'missing.txt' })).toEqual({ set: false, source: 'file', ref: 'missing.txt' });
  });

  it('encrypts new values when a cipher is available and decrypts them back', () => {
    const s = new SecretStore({}, dir, aesCipher());
    const ref = s.applyEdit(undefined, { value: 'top-secret' });
    expect(typeof ref === 'object' && ref !== null && 'encrypted' in ref).toBe(true);
    expect(JSON.stringify(ref)).not.toContain('top-secret');
    expect(s.resolve(ref, 'x')).toBe('top-secret');
  });

  it('stores new values as given without a cipher, and applies keep/clear/env/file edits', () => {
    const s = new SecretStore({}, dir);
    expect(s.applyEdit(undefined, { value: 'v' })).toBe('v');
    expect(s.applyEdit('old', { keep: true })).toBe('old');
    expect(s.applyEdit('old', { clear: true })).toBeUndefined();
    expect(s.applyEdit('old', { env: 'E' })).toEqual({ env: 'E' });
    expect(s.applyEdit('old', { file: '/f' })).toEqual({ file: '/f' });
  });

  it('says so when ciphertext cannot be decrypted here', () => {
    const ref = new SecretStore({}, dir, aesCipher()).applyEdit(undefined, { value: 'v' });
    expect(() => new SecretStore({}, dir, aesCipher()).resolve(ref, 'wandb.apiKey')).toThrow(
      /cannot be decrypted on this machine/,
    );
    expect(() => new SecretStore({}, dir).resolve(ref, 'wandb.apiKey')).toThrow(/keychain is not available/);
  });
});
