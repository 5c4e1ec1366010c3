// The one place incoming calls are checked: method name against the contract, payload as `unknown`
// through its zod schema, errors folded into `{ ok: false, error }`. Both transports use it.
import { ApiError, isMethodName, methods, type MethodName, type MethodOutput, type Result } from '../../shared/api';
import type { z } from 'zod';
import type { Logger } from '../log';
import type { PushClient } from './push';

export interface CallContext {
  client: PushClient;
}

export type Handlers = {
  [M in MethodName]: (input: z.output<(typeof methods)[M]['input']>, ctx: CallContext) => Promise<MethodOutput<M>> | MethodOutput<M>;
};

export async function dispatch(handlers: Handlers, method: unknown, payload: unknown, ctx: CallContext, log?: Logger): Promise<Result<unknown>> {
  if (!isMethodName(method)) {
    return { ok: false, error: { code: 'unknown_method', message: `unknown method ${JSON.stringify(method)?.slice(0, 60)}` } };
  }
  const parsed = methods[method].input.safeParse(payload);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(payload)', message: i.message }));
    return { ok: false, error: { code: 'bad_request', message: `${method}: invalid payload: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues } };
  }
  try {
    const handler = handlers[method] as (input: unknown, ctx: CallContext) => unknown;
    return { ok: true, value: await handler(parsed.data, ctx) };
  } catch (e) {
    if (e instanceof ApiError) return { ok: false, error: e.toBody() };
    log?.error({ err: e, method }, 'handler failed');
    return { ok: false, error: { code: 'internal', message: `${method} failed: ${e instanceof Error ? e.message : String(e)}` } };
  }
}
