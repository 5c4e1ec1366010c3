// Resolves secret references from the config (literal, {env}, {file}, {encrypted}) and turns the
// Settings view's edits into references. The cipher is injected: Electron passes safeStorage,
// headless has none (new values are then stored as given; README explains the env/file options).
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { SecretEdit, SecretRef, SecretStatus } from '../shared/config';

export interface SecretCipher {
  /** False when the OS keychain is unavailable; new secrets are then stored as given. */
  isAvailable(): boolean;
  /** Returns base64 ciphertext. */
  encrypt(plain: string): string;
  decrypt(base64: string): string;
}

export type Env = Readonly<Record<string, string | undefined>>;

export class SecretError extends Error {
  constructor(
    readonly path: string,
    /** The problem without the field path (never the secret's value). */
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'SecretError';
  }
}

export class SecretStore {
  constructor(
    private readonly env: Env,
    /** Relative `{file}` paths resolve against this folder (the config file's). */
    private readonly baseDir: string,
    private readonly cipher: SecretCipher | null = null,
  ) {}

  get encrypts(): boolean {
    return this.cipher?.isAvailable() ?? false;
  }

  private filePath(p: string): string {
    return isAbsolute(p) ? p : resolve(this.baseDir, p);
  }

  status(ref: SecretRef | undefined): SecretStatus {
    if (ref === undefined) return { set: false, source: null };
    if (typeof ref === 'string') return { set: true, source: 'literal' };
    if ('env' in ref) return { set: Boolean(this.env[ref.env]), source: 'env', ref: ref.env };
    if ('file' in ref) {
      let set = false;
      try {
        set = statSync(this.filePath(ref.file)).isFile();
      } catch {
        set = false;
      }
      return { set, source: 'file', ref: ref.file };
    }
    return { set: true, source: 'encrypted' };
  }

  /** The secret's value, undefined when not configured; throws SecretError when it cannot be read. */
  resolve(ref: SecretRef | undefined, path: string): string | undefined {
    if (ref === undefined) return undefined;
    if (typeof ref === 'string') return ref;
    if ('env' in ref) {
      const v = this.env[ref.env];
      if (v === undefined) throw new SecretError(path, `environment variable ${ref.env} is not set`);
      if (v === '') throw new SecretError(path, `environment variable ${ref.env} is empty`);
      return v;
    }
    if ('file' in ref) {
      let v: string;
      try {
        // Docker-secrets style files end with a newline that is not part of the secret.
        v = readFileSync(this.filePath(ref.file), 'utf8').replace(/\r?\n$/, '');
      } catch (e) {
        throw new SecretError(
          path,
          `cannot read secret file ${ref.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
        );
      }
      if (v.trim() === '') throw new SecretError(path, `secret file ${ref.file} is empty`);
      return v;
    }
    if (!this.cipher?.isAvailable())
      throw new SecretError(path, 'stored encrypted, but the OS keychain is not available here');
    try {
      return this.cipher.decrypt(ref.encrypted);
    } catch {
      throw new SecretError(
        path,
        'stored encrypted, but it cannot be decrypted on this machine (set it again in Settings)',
      );
    }
  }

  /** Applies a Settings edit to the current reference. New values are encrypted when a cipher is available. */
  applyEdit(current: SecretRef | undefined, edit: SecretEdit): SecretRef | undefined {
    if ('keep' in edit) return current;
    if ('clear' in edit) return undefined;
    if ('env' in edit) return { env: edit.env };
    if ('file' in edit) return { file: edit.file };
    return this.encrypts ? { encrypted: this.cipher!.encrypt(edit.value) } : edit.value;
  }
}
