import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message the test SMTP server accepted: its raw bytes and its parsed form. */
export interface ReceivedMail {
  raw: string;
  parsed: ParsedMail;
  to: string;
}

/** Decides the reply to a RCPT TO: undefined accepts; a code refuses (4xx temporary, 5xx permanent). */
export type Refusal = (recipient: string, attempt: number) => { code: number; message: string } | undefined;

export interface SmtpSink {
  url: string;
  received: ReceivedMail[];
  /** How many RCPT TO commands were answered (accepted or not). */
  attempts: () => number;
  refuse(rule: Refusal | undefined): void;
  /** Makes the server take this long to accept each message (a slow server, to catch a worker mid-send). */
  delay(ms: number): void;
  /** Waits until at least `count` mails arrived; fails after `ms`. */
  waitFor(count: number, ms?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

/** A real SMTP server (npm smtp-server) on a free local port, keeping what it receives. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  let rule: Refusal | undefined;
  let attempts = 0;
  let delayMs = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      attempts++;
      const refusal = rule?.(address.address, attempts);
      if (!refusal) return callback();
      const err = new Error(refusal.message) as Error & { responseCode: number };
      err.responseCode = refusal.code;
      return callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            received.push({ raw, parsed, to: session.envelope.rcptTo[0]?.address ?? '' });
            callback();
          })
          .catch(callback);
      });
    },
  });
  // A client killed mid-message resets its connection: expected in the fault tests, not a failure.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    attempts: () => attempts,
    refuse: (r) => {
      rule = r;
    },
    delay: (ms) => {
      delayMs = ms;
    },
    async waitFor(count, ms = 15_000) {
      const until = Date.now() + ms;
      while (received.length < count) {
        if (Date.now() > until)
          throw new Error(`expected ${count} mails, got ${received.length} after ${ms} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
