/**
 * The worker's mails enter the SMTP transport no faster than it has connections: claimed mails wait
 * here rather than in the transport's own queue, so a mail's lease can be renewed while it waits and
 * it enters the transport with a whole lease ahead of it, which outlasts the transport's timeouts. A
 * mail that waited in the transport's queue behind others on a hanging server could see its lease run
 * out before it was even sent, and another worker take it over and send it too.
 */
export class SendGate {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(slots: number) {
    this.free = slots;
  }

  /**
   * Waits for a slot, calling `whileWaiting` every `everyMs` until one is free; resolves to the
   * function that gives the slot back, or to undefined once the gate is closed (the worker stops).
   */
  async enter(whileWaiting: () => void, everyMs: number): Promise<(() => void) | undefined> {
    if (this.closed) return undefined;
    if (this.free > 0) this.free--;
    else {
      const timer = setInterval(whileWaiting, everyMs);
      try {
        await new Promise<void>((resolve) => this.waiting.push(resolve));
      } finally {
        clearInterval(timer);
      }
      if (this.closed) return undefined;
    }
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }

  /**
   * Lets no more mails in: those waiting are turned away at once (their worker gives them back to the
   * queue), those already in the transport go on.
   */
  close(): void {
    this.closed = true;
    for (const next of this.waiting.splice(0)) next();
  }
}
