// The one place incoming calls are checked: method name against the contract, payload as `unknown`
// through its zod schema, errors folded into `{ ok: false, error }`. Both transports use it.
import { ApiError, isMethodName, methods, type MethodName, type MethodOutput, type Result } from '../../shared/api';
import type { z } from 'zod';
import { describeIssues, formatIssues } from '../../shared/config';
import type { Logger } from '../log';
import type { PushClient } from './push';

export interface CallContext {
  client: PushClient;
}

export type Handlers = {
  [M in MethodName]: (
    input: z.output<(typeof methods)[M]['input']>,
    ctx: CallContext,
  ) => Promise<MethodOutput<M>> | MethodOutput<M>;
};

export async function dispatch(
  handlers: Handlers,
  method: unknown,
  payload: unknown,
  ctx: CallContext,
  log?: Logger,
): Promise<Result<unknown>> {
  if (!isMethodName(method)) {
    return {
      ok: false,
      error: { code: 'unknown_method', message: `unknown method ${JSON.stringify(method)?.slice(0, 60)}` },
    };
  }
  const spec = methods[method];
  const parsed = spec.input.safeParse(payload, { reportInput: true });
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    const code = 'invalid' in spec ? spec.invalid : 'bad_request';
    return { ok: false, error: { code, message: `${method}: invalid payload: ${formatIssues(issues)}`, issues } };
  }
  try {
    const handler = handlers[method] as (input: unknown, ctx: CallContext) => unknown;
    return { ok: true, value: await handler(parsed.data, ctx) };
  } catch (e) {
    if (e instanceof ApiError) return { ok: false, error: e.toBody() };
    log?.error({ err: e, method }, 'handler failed');
    return {
      ok: false,
      error: { code: 'internal', message: `${method} failed: ${e instanceof Error ? e.message : String(e)}` },
    };
  }
}
