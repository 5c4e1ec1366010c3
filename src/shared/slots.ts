// Headless slots as the UI and the CLI see them: each slot's live RCON status, deploy progress and
// join-test runs. Shared by main (monitor, deploy, join test) and the renderer (Slots view).
import { z } from 'zod';

/** reachable: RCON answered; auth_failed: password refused; offline: no answer; error: answered, but not as expected. */
export const SlotStateSchema = z.enum(['unknown', 'reachable', 'auth_failed', 'offline', 'error']);
export type SlotState = z.infer<typeof SlotStateSchema>;

export const RegistrationsSchema = z.object({ events: z.array(z.string()), nth_ticks: z.array(z.number()) });
export type Registrations = z.infer<typeof RegistrationsSchema>;

export const DeployProgressSchema = z.object({
  phase: z.enum(['upload', 'verify', 'swap', 'done', 'failed']),
  file: z.string().nullable(),
  index: z.number(),
  total: z.number(),
  message: z.string().nullable(),
});
export type DeployProgress = z.infer<typeof DeployProgressSchema>;

export const JoinStepSchema = z.object({
  name: z.string(),
  /** `skipped`: nothing to check by configuration; `not_run`: an earlier step failed, so it could not check. */
  state: z.enum(['pending', 'running', 'passed', 'failed', 'skipped', 'not_run']),
  /** What was seen: the evidence for the verdict. */
  detail: z.string(),
});
export type JoinStep = z.infer<typeof JoinStepSchema>;

export const JoinTestRunSchema = z.object({
  id: z.string(),
  slot: z.string(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  ok: z.boolean().nullable(),
  steps: z.array(JoinStepSchema),
});
export type JoinTestRun = z.infer<typeof JoinTestRunSchema>;

export const SlotStatusSchema = z.object({
  id: z.string(),
  name: z.string(),
  host: z.string(),
  gamePort: z.number(),
  rconPort: z.number(),
  state: SlotStateSchema,
  /** Why the state is what it is, in one line. */
  message: z.string(),
  rttMs: z.number().nullable(),
  tick: z.number().nullable(),
  players: z.array(z.string()),
  /** The scenario's runtime version running now, the one its save was created with, and ours. */
  version: z.string().nullable(),
  saveVersion: z.string().nullable(),
  expectedVersion: z.string().nullable(),
  queueLength: z.number().nullable(),
  /** Whether the live registered events and nth-ticks equal the scenario's static set (null: unknown). */
  registrationsMatch: z.boolean().nullable(),
  registrationsDiff: z.object({ extra: z.array(z.string()), missing: z.array(z.string()) }).nullable(),
  lastCheck: z.number().nullable(),
  /** Epoch ms of the next poll (longer while the slot is unreachable: backoff). */
  nextCheck: z.number().nullable(),
  deployable: z.boolean(),
  restartable: z.boolean(),
  busy: z.enum(['deploy', 'join-test', 'restart']).nullable(),
  deploy: DeployProgressSchema.nullable(),
  /** Output of the last restart command. */
  restart: z.object({ running: z.boolean(), exitCode: z.number().nullable(), output: z.array(z.string()) }).nullable(),
  /** Newest first. */
  joinTests: z.array(JoinTestRunSchema),
});
export type SlotStatus = z.infer<typeof SlotStatusSchema>;

export const SlotsStatusSchema = z.object({ slots: z.array(SlotStatusSchema), clientPath: z.string().nullable() });
export type SlotsStatus = z.infer<typeof SlotsStatusSchema>;
