// Status pushes from a busy service: a burst of changes becomes one push, `ms` after the first,
// carrying the state as it is by then. A few lines, so no library (lodash's throttle would also
// fire on the leading edge, which is the very push this avoids).
export class Coalescer {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ms: number,
    private readonly fn: () => void,
  ) {}

  /** Schedules one run unless one is already due. */
  trigger(): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.fn();
    }, this.ms);
  }

  /** Drops a run that is due (on stop). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
