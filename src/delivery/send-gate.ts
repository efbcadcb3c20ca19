/**
 * How many of a worker's mails may be between the end of their message and their record at once. The
 * server accepts a message when its end arrives, and a worker that dies before the record leaves the
 * mail to be sent again after its lease: this number bounds the duplicates one crash can make.
 */
export const UNRECORDED_AT_ONCE = 2;

/**
 * The worker's mails enter the SMTP transport no faster than it has connections: claimed mails wait
 * here rather than in the transport's own queue, so a mail's lease can be renewed while it waits and
 * it enters the transport with a whole lease ahead of it, which outlasts the transport's timeouts. A
 * mail that waited in the transport's queue behind others on a hanging server could see its lease run
 * out before it was even sent, and another worker take it over and send it too.
 *
 * Inside the transport, a message's end waits for one of `unrecorded` places (end()), held until its
 * outcome is recorded.
 */
export class SendGate {
  private readonly slots: Semaphore;
  private readonly ends: Semaphore;

  constructor(slots: number, unrecorded = UNRECORDED_AT_ONCE) {
    this.slots = new Semaphore(slots);
    this.ends = new Semaphore(unrecorded);
  }

  /**
   * Waits for a slot, calling `whileWaiting` every `everyMs` until one is free; resolves to the
   * function that gives the slot back, or to undefined once the gate is closed (the worker stops).
   */
  async enter(whileWaiting: () => void, everyMs: number): Promise<(() => void) | undefined> {
    const timer = setInterval(whileWaiting, everyMs);
    try {
      return await this.slots.take();
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * Waits until the mail may end its message: fewer than `unrecorded` mails are then between their end
   * and their record. Resolves to the function to call once the outcome is recorded (or could not be).
   * close() does not turn these away: a mail that has started its message finishes it.
   */
  async end(): Promise<() => void> {
    return (await this.ends.take())!;
  }

  /**
   * Lets no more mails in: those waiting are turned away at once (their worker gives them back to the
   * queue), those already in the transport go on.
   */
  close(): void {
    this.slots.close();
  }
}

/** Up to `free` holders at once, the others waiting in turn; once closed, nobody more. */
class Semaphore {
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(private free: number) {}

  /** Resolves to the function that gives the place back, or to undefined once closed. */
  async take(): Promise<(() => void) | undefined> {
    if (this.closed) return undefined;
    if (this.free > 0) this.free--;
    else {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
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

  close(): void {
    this.closed = true;
    for (const next of this.waiting.splice(0)) next();
  }
}
