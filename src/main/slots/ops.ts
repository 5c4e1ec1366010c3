// The slot actions that touch files and hosts (deploy, verify, restart), behind one small
// interface so the service and the CLI share them.
import type { Config } from '../../shared/config';

export type SlotConfig = Config['slots'][number];

export interface FileProgress {
  phase: 'upload' | 'verify' | 'swap';
  file: string | null;
  index: number;
  total: number;
}

export interface CheckResult {
  ok: boolean;
  files: number;
  target: string;
  /** What differs (path, expected and found hash), when not ok. */
  problem: string;
}

export interface SlotOps {
  deploy(slot: SlotConfig, sourceDir: string, onProgress: (p: FileProgress) => void): Promise<CheckResult>;
  verify(slot: SlotConfig, sourceDir: string): Promise<CheckResult>;
  restart(slot: SlotConfig, onLine: (line: string) => void): Promise<{ exitCode: number | null }>;
}
