// The slot actions wired to their implementations: local or SSH deploy and verification
// (deploy.ts, ssh.ts) and the restart command (restart.ts).
import type { Logger } from '../log';
import type { SecretStore } from '../secrets';
import {
  bundledScenarioDir,
  deployScenario,
  describeMismatches,
  resolveDeployTarget,
  verifyScenario,
  type DeployResult,
} from './deploy';
import type { SlotConfig, SlotOps } from './ops';
import { runRestartCommand } from './restart';

export { bundledScenarioDir };

export function slotOps(secrets: SecretStore, logger: Logger): SlotOps {
  const target = (s: SlotConfig) => {
    if (!s.deploy) throw new Error(`slot ${s.id} has no deploy target (slots[].deploy)`);
    return resolveDeployTarget(s.deploy, secrets, `slots.${s.id}.deploy.password`);
  };
  const check = (r: DeployResult) => ({
    ok: r.ok,
    files: r.files.length,
    target: r.target,
    problem: describeMismatches(r.mismatches),
  });
  return {
    deploy: async (s, sourceDir, onProgress) =>
      check(
        await deployScenario({
          target: target(s),
          sourceDir,
          onProgress: (p) => onProgress({ phase: p.phase, file: p.file, index: p.index, total: p.total }),
          logger,
        }),
      ),
    verify: async (s, sourceDir) => check(await verifyScenario({ target: target(s), sourceDir, logger })),
    restart: (s, onLine) => runRestartCommand(s, { onLine: (line) => onLine(line), secrets, logger }),
  };
}
