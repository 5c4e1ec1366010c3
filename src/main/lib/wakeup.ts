// The pause of a loop that waits for more work or a time (a delivery pump, a file follower):
// `sleep` ends after `ms` (never by itself for Infinity) or at `wake()`, whichever comes first. A
// wake while nobody sleeps is kept, and the next sleep returns at once: news that arrives while the
// loop is busy (a change seen mid-read) is not lost until the next timeout.
export class Wakeup {
  private wakeUp: (() => void) | null = null;
  private pending = false;

  sleep(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      if (Number.isFinite(ms)) timer = setTimeout(done, Math.max(0, ms));
      this.wakeUp = done;
    });
  }

  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.pending = true;
  }
}
