// Checks run before headless mode starts its services, for problems the config schema cannot see.
import { statSync } from 'node:fs';
import type { Config, ConfigIssue, SecretRef } from '../shared/config';
import { parseWebhookUrl } from './discord/webhook';
import { SecretError, type SecretStore } from './secrets';

/**
 * What the schema cannot see but would leave a service broken at start: secrets that cannot be
 * read (for the services that are on, and every slot), a webhook URL that is not one, a data
 * folder that is a file. Headless exits on these; the desktop app shows them on the service.
 * Messages never contain a secret's value.
 */
export function startupProblems(config: Config, secrets: SecretStore): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const dir = config.dataDir;
  if (dir !== undefined) {
    let isDir: boolean | null = null;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      isDir = null;
    }
    if (isDir === false) issues.push({ path: 'dataDir', message: `${dir} exists and is not a folder` });
  }
  const resolveChecked = (ref: SecretRef | undefined, path: string): string | undefined => {
    try {
      return secrets.resolve(ref, path);
    } catch (e) {
      if (!(e instanceof SecretError)) throw e;
      issues.push({ path, message: e.reason });
      return undefined;
    }
  };
  if (config.wandb.enabled) resolveChecked(config.wandb.apiKey, 'wandb.apiKey');
  if (config.discord.enabled) {
    const url = resolveChecked(config.discord.webhookUrl, 'discord.webhookUrl');
    if (url !== undefined) {
      try {
        parseWebhookUrl(url);
      } catch (e) {
        issues.push({
          path: 'discord.webhookUrl',
          message: `${(e as Error).message.replace(/^discord\.webhookUrl /, '')} (value not shown)`,
        });
      }
    }
  }
  config.slots.forEach((slot, i) => {
    resolveChecked(slot.rconPassword, `slots.${i}.rconPassword`);
    if (slot.deploy?.kind === 'ssh') resolveChecked(slot.deploy.password, `slots.${i}.deploy.password`);
  });
  return issues;
}
