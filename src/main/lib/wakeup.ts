// The pause of a pump loop (deliver, then wait for more work or a retry time): `sleep` ends after
// `ms` (never by itself for Infinity) or at the next `wake()`, whichever comes first. A wake while
// nobody sleeps is not kept: the loop looks at its state again before each sleep.
export class Wakeup {
  private wakeUp: (() => void) | null = null;

  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = Number.isFinite(ms) ? setTimeout(done, Math.max(0, ms)) : undefined;
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wakeUp = done;
    }).then(() => {
      this.wakeUp = null;
    });
  }

  wake(): void {
    this.wakeUp?.();
  }
}
