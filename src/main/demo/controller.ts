// Runs the demo feed program as a child process (a real, separate writer, like Factorio) and
// reports its state. Under Electron, process.execPath is Electron itself: ELECTRON_RUN_AS_NODE
// makes it behave as plain Node for the child.
import { spawn, type ChildProcess } from 'node:child_process';
import type { DemoStatus } from '../../shared/api';
import type { Logger } from '../log';

export interface DemoFeedOptions {
  /** Path of the built feed program (out/main/feed.js). */
  script: string;
  /** Node options for the child (tests run the TypeScript source through a loader). */
  execArgv?: string[];
  logger: Logger;
  onChange(status: DemoStatus): void;
}

export class DemoFeed {
  private child: ChildProcess | null = null;
  private current: DemoStatus = {
    running: false,
    path: null,
    rate: null,
    startedAt: null,
    auto: false,
    message: 'not running',
  };

  constructor(private readonly opts: DemoFeedOptions) {}

  status(): DemoStatus {
    return this.current;
  }

  private set(s: Partial<DemoStatus>): void {
    this.current = { ...this.current, ...s };
    this.opts.onChange(this.current);
  }

  async start(path: string, rate: number, auto: boolean): Promise<void> {
    await this.stop();
    const child = spawn(
      process.execPath,
      [...(this.opts.execArgv ?? []), this.opts.script, '--path', path, '--rate', String(rate)],
      {
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
    this.child = child;
    this.set({
      running: true,
      path,
      rate,
      startedAt: Date.now(),
      auto,
      message: `writing ${rate} stats lines/s to ${path}`,
    });
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = null;
      const why = signal
        ? 'stopped'
        : code === 0
          ? 'finished'
          : `exited with code ${code}: ${stderr.trim().split('\n').pop() ?? ''}`;
      if (code) this.opts.logger.warn({ code, stderr: stderr.trim() }, 'demo feed exited');
      this.set({ running: false, message: why });
    });
  }

  /** Stops the feed; a feed blocked opening a FIFO nobody reads is killed after a grace period. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
    await exited;
    clearTimeout(timer);
  }

  /** Ends the feed at once (the app's stop deadline ran out): no writer may outlive the app. */
  kill(): void {
    this.child?.kill('SIGKILL');
  }
}
