// The architecture rules the linter enforces, proven against real ESLint with our config.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImportErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('lint rules', () => {
  it.each(['src/main/pipe/reader.ts', 'src/main/wandb/run.ts', 'src/main/app.ts', 'src/shared/x.ts', 'src/renderer/src/x.tsx'])('forbids importing electron in %s', async (file) => {
    expect(await restrictedImportErrors(file, "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
  });

  it('allows electron in the shell and the IPC transport', async () => {
    expect(await restrictedImportErrors('src/main/index.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([]);
    expect(await restrictedImportErrors('src/main/transport/ipc.ts', "import { ipcMain } from 'electron';\nexport const a = ipcMain;\n")).toEqual([]);
  });

  it('keeps Node built-ins out of shared code and the renderer', async () => {
    expect(await restrictedImportErrors('src/shared/y.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n")).toHaveLength(1);
  });
});
