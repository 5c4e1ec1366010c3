// Types for test-sweep.mjs, which the tests import.
export const RUN_ENV: string;
export function processesOfRun(runId: string): { pid: number; cmd: string }[];
export function sweep(runId: string, opts?: { graceMs?: number }): Promise<{ pid: number; cmd: string }[]>;
