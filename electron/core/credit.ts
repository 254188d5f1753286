// Flow control between the two parsing threads: each side may send a few batches (or byte runs)
// before the other acknowledges one. Shared by csv-parse-host.ts and csv-parse-worker.ts.

/** Thrown to a waiting sender when its side was cancelled (the file was abandoned). */
export class Cancelled extends Error {}

/** Messages that may be sent before the other thread acknowledges one. */
export class Credit {
  private waiting: { resolve: () => void; reject: (error: Error) => void } | null = null;
  private cancelled = false;

  constructor(private available: number) {}

  async take(): Promise<void> {
    if (this.cancelled) throw new Cancelled();
    if (this.available > 0) {
      this.available--;
      return;
    }
    await new Promise<void>((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  give(): void {
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting) waiting.resolve();
    else this.available++;
  }

  cancel(): void {
    this.cancelled = true;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(new Cancelled());
  }
}
