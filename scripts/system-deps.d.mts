// Types for system-deps.mjs, which the tests import.
export interface SystemTool {
  id: string;
  what: string;
  apt: string;
  brew: string;
  find(): string | null;
  needed?(): boolean;
}
export const SKIP_MISSING_ENV: string;
export const TOOLS: SystemTool[];
export function missingTools(tools?: SystemTool[]): SystemTool[];
/** Reasons a platform cannot run a test, or null where it can. */
export const notLinux: string | null;
export const noFifo: string | null;
/** `title`, with ` [skipped: reason]` appended when `reason` is set. */
export function skipTitle(title: string, reason: string | null | undefined): string;
export function toolSkipReason(id: 'lua5.2' | 'busted' | 'luacheck' | 'sshd' | 'protoc'): string | null;
export interface PreparedBrowser {
  path: string | null;
  env: Record<string, string>;
  reason?: string;
}
export function browser(): PreparedBrowser;
export function prepareBrowser(): Promise<PreparedBrowser>;
export function installer(): { sudo: string[] } | { reason: string };
export function installCommand(tools: SystemTool[], platform?: NodeJS.Platform): string;
export function missingParagraph(tools: SystemTool[], why: string): string;
export function ensureTools(opts?: { interactive?: boolean; log?: (line: string) => void }): Promise<string | null>;
