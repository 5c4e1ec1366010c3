// The engine's counters in Prometheus text format (exposition format 0.0.4), plus recent
// handling times for the Engine view's p50/p99. Hand-written because it is three metric families
// and no Prometheus client is among our dependencies.

/** Handling-time histogram bounds, seconds: 10 µs to 1 s. */
const BUCKETS = [1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 0.1, 1];
const RECENT = 2048;

interface Histogram {
  counts: Float64Array;
  sum: number;
  count: number;
}

const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export class EngineMetrics {
  /** env_id -> environment steps taken (unary Step and BatchSimulate). */
  readonly steps = new Map<string, number>();
  /** `method env_id code` -> finished calls. */
  readonly calls = new Map<string, number>();
  /** `env_id code` -> refused or failed calls. */
  readonly errors = new Map<string, number>();
  /** method -> requests cut off for running past their budget. */
  readonly budgetExceeded = new Map<string, number>();
  /** reason -> game workers replaced (budget: terminated; crashed: died). */
  readonly workerRestarts = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly recent = new Float64Array(RECENT);
  private recentN = 0;
  private callsTotal = 0;

  addSteps(envId: string, n: number): void {
    this.steps.set(envId, (this.steps.get(envId) ?? 0) + n);
  }

  /** One finished unary call or stream; `seconds` is the server's handling time. */
  observeCall(method: string, envId: string, code: string, seconds: number): void {
    const key = `${method} ${envId} ${code}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    this.callsTotal++;
    if (code !== 'OK') {
      const ek = `${envId} ${code}`;
      this.errors.set(ek, (this.errors.get(ek) ?? 0) + 1);
    }
    if (method !== 'Step' || code !== 'OK') return;
    let h = this.latency.get(envId);
    if (!h) this.latency.set(envId, (h = { counts: new Float64Array(BUCKETS.length), sum: 0, count: 0 }));
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) h.counts[i]++;
    h.sum += seconds;
    h.count++;
    this.recent[this.recentN++ % RECENT] = seconds;
  }

  overBudget(method: string): void {
    this.budgetExceeded.set(method, (this.budgetExceeded.get(method) ?? 0) + 1);
  }

  workerRestarted(reason: string): void {
    this.workerRestarts.set(reason, (this.workerRestarts.get(reason) ?? 0) + 1);
  }

  get totalCalls(): number {
    return this.callsTotal;
  }

  /** p50 and p99 of the most recent Step handling times, in seconds (null before any). */
  stepPercentiles(): { p50: number; p99: number } | null {
    const n = Math.min(this.recentN, RECENT);
    if (n === 0) return null;
    const sorted = this.recent.slice(0, n).sort();
    return { p50: sorted[Math.floor((n - 1) * 0.5)], p99: sorted[Math.floor((n - 1) * 0.99)] };
  }

  errorList(): { envId: string; code: string; count: number }[] {
    return [...this.errors].map(([k, count]) => {
      const [envId, code] = k.split(' ');
      return { envId, code, count };
    });
  }

  render(): string {
    const out: string[] = [];
    out.push(
      '# HELP engine_steps_total Environment steps taken, unary Step and BatchSimulate.',
      '# TYPE engine_steps_total counter',
    );
    for (const [env, n] of this.steps) out.push(`engine_steps_total{env_id="${label(env)}"} ${n}`);
    out.push(
      '# HELP engine_calls_total Finished RPCs by method, env_id and gRPC status code.',
      '# TYPE engine_calls_total counter',
    );
    for (const [k, n] of this.calls) {
      const [method, env, code] = k.split(' ');
      out.push(`engine_calls_total{method="${method}",env_id="${label(env)}",code="${code}"} ${n}`);
    }
    out.push(
      '# HELP engine_errors_total Refused or failed RPCs by env_id and gRPC status code.',
      '# TYPE engine_errors_total counter',
    );
    for (const [k, n] of this.errors) {
      const [env, code] = k.split(' ');
      out.push(`engine_errors_total{env_id="${label(env)}",code="${code}"} ${n}`);
    }
    out.push(
      '# HELP engine_budget_exceeded_total Requests cut off for running past their budget (their worker was replaced).',
      '# TYPE engine_budget_exceeded_total counter',
    );
    for (const [m, n] of this.budgetExceeded) out.push(`engine_budget_exceeded_total{method="${label(m)}"} ${n}`);
    out.push(
      '# HELP engine_worker_restarts_total Game workers replaced, by reason.',
      '# TYPE engine_worker_restarts_total counter',
    );
    for (const [r, n] of this.workerRestarts) out.push(`engine_worker_restarts_total{reason="${label(r)}"} ${n}`);
    out.push(
      '# HELP engine_step_latency_seconds Server handling time of successful unary Step calls.',
      '# TYPE engine_step_latency_seconds histogram',
    );
    for (const [env, h] of this.latency) {
      const e = label(env);
      BUCKETS.forEach((b, i) => out.push(`engine_step_latency_seconds_bucket{env_id="${e}",le="${b}"} ${h.counts[i]}`));
      out.push(`engine_step_latency_seconds_bucket{env_id="${e}",le="+Inf"} ${h.count}`);
      out.push(
        `engine_step_latency_seconds_sum{env_id="${e}"} ${h.sum}`,
        `engine_step_latency_seconds_count{env_id="${e}"} ${h.count}`,
      );
    }
    return out.join('\n') + '\n';
  }
}
