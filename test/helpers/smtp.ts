import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/** Where a message came from. */
export interface MailOrigin {
  /** The name the client gave in EHLO: a worker's `?name=` in its SMTP URL, else its host name. */
  client: string;
  /** `address:port` of the connection: one per pooled SMTP connection of a client. */
  connection: string;
}

/**
 * A message the server accepted (answered 250 on a connection still open), as the light sink keeps it:
 * the envelope recipient and the top-level headers.
 */
export interface AcceptedMail extends MailOrigin {
  to: string;
  /**
   * Top-level headers by lower-case name, unfolded, the first of repeated ones; encoded words are left as
   * sent (compare Message-ID, X-Tsunagaru-Kind, List-Unsubscribe; decode a Subject yourself).
   */
  headers: Record<string, string>;
}

/** A message the test SMTP server accepted: its raw bytes and its parsed form. */
export interface ReceivedMail extends AcceptedMail {
  raw: string;
  parsed: ParsedMail;
}

/** Decides the reply to a RCPT TO: undefined accepts; a code refuses (4xx temporary, 5xx permanent). */
export type Refusal = (recipient: string, attempt: number) => { code: number; message: string } | undefined;

/** An SMTP reply that refuses a message. */
export interface SmtpReply {
  code: number;
  message: string;
}

export interface SmtpSink<M extends AcceptedMail = ReceivedMail> {
  url: string;
  /** The messages accepted, in the order of their 250. */
  received: M[];
  /** How many RCPT TO commands were answered (accepted or not). */
  attempts: () => number;
  refuse(rule: Refusal | undefined): void;
  /** Makes the server take this long to accept each message (a slow server, to catch a worker mid-send). */
  delay(ms: number): void;
  /**
   * Closes the gate: messages are still received in full, but the answer to their DATA waits until
   * release(). A client sending through the closed gate is a client with mails in flight.
   */
  hold(): void;
  /** Messages whose DATA has begun and whose end has not arrived. */
  receiving(): number;
  /** Closes every open connection now, mid-message or not, as a relay that restarts does. */
  dropConnections(): void;
  /** The messages waiting behind the gate for their answer. */
  held(): (MailOrigin & { to: string })[];
  /**
   * Opens the gate: answers every held message with 250 (accepted, added to `received`), or with `reply`
   * (a refusal: nothing is kept), and lets later messages through at once. A held message whose client
   * went away meanwhile gets no answer at all and counts in dropped(), never in `received`.
   */
  release(reply?: SmtpReply): { answered: number; dropped: number };
  /** Messages received in full but never answered, because their connection closed first. */
  dropped(): number;
  /** The connections open now that have sent at least one MAIL FROM. */
  connections(): MailOrigin[];
  /** Waits until at least `count` mails arrived; fails after `ms`. */
  waitFor(count: number, ms?: number): Promise<M[]>;
  close(): Promise<void>;
}

export interface SinkOptions {
  /**
   * Keep only the recipient, origin and top-level headers of each message, without mailparser: for
   * thousands of mails, where parsing each would cost the test more than the product's sending.
   */
  light?: boolean;
}

/** Top-level headers of a raw message: unfolded, by lower-case name, the first of repeated ones. */
export function topHeaders(raw: string): Record<string, string> {
  const end = raw.search(/\r?\n\r?\n/);
  const block = (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n(?=[ \t])/g, '');
  const headers: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers[name] ??= line.slice(colon + 1).trim();
  }
  return headers;
}

function originOf(session: SMTPServerSession): MailOrigin {
  return {
    client: String(session.hostNameAppearsAs || ''),
    connection: `${session.remoteAddress}:${session.remotePort}`,
  };
}

/** A real SMTP server (npm smtp-server) on a free local port, keeping what it receives. */
export async function startSmtpSink(): Promise<SmtpSink>;
export async function startSmtpSink(opts: { light: true }): Promise<SmtpSink<AcceptedMail>>;
export async function startSmtpSink(opts?: SinkOptions): Promise<SmtpSink<AcceptedMail>>;
export async function startSmtpSink(opts: SinkOptions = {}): Promise<SmtpSink<AcceptedMail>> {
  const received: AcceptedMail[] = [];
  let rule: Refusal | undefined;
  let attempts = 0;
  let delayMs = 0;
  let gateClosed = false;
  let dropped = 0;
  let receiving = 0;
  const held: { to: string; origin: MailOrigin; answer: (reply?: SmtpReply) => boolean }[] = [];
  // Sessions by id while their connection is open: a reply to a closed one is never an acceptance.
  const open = new Map<string, SMTPServerSession>();
  const closed = new Set<string>();

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(_address, session, callback) {
      if (!closed.has(session.id)) open.set(session.id, session);
      callback();
    },
    onRcptTo(address, _session, callback) {
      attempts++;
      const refusal = rule?.(address.address, attempts);
      if (!refusal) return callback();
      return callback(smtpError(refusal));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      receiving++;
      stream.once('close', () => receiving--);
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        const raw = Buffer.concat(chunks).toString('utf8');
        const to = session.envelope.rcptTo[0]?.address ?? '';
        let mail: AcceptedMail;
        try {
          const base = { to, ...originOf(session), headers: topHeaders(raw) };
          mail = opts.light ? base : ({ ...base, raw, parsed: await simpleParser(raw) } as ReceivedMail);
        } catch (err) {
          return callback(err as Error);
        }
        /** Answers the message; true when it was accepted on a connection still open. */
        const answer = (reply?: SmtpReply): boolean => {
          if (closed.has(session.id)) {
            dropped++;
            return false;
          }
          if (reply) {
            callback(smtpError(reply));
            return false;
          }
          received.push(mail);
          callback();
          return true;
        };
        if (gateClosed) held.push({ to, origin: originOf(session), answer });
        else answer();
      });
    },
    onClose(session) {
      closed.add(session.id);
      open.delete(session.id);
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
    hold: () => {
      gateClosed = true;
    },
    held: () => held.map((h) => ({ to: h.to, ...h.origin })),
    release(reply) {
      gateClosed = false;
      const before = dropped;
      const waiting = held.splice(0);
      for (const h of waiting) h.answer(reply);
      return { answered: waiting.length - (dropped - before), dropped: dropped - before };
    },
    dropped: () => dropped,
    connections: () => [...open.values()].map(originOf),
    receiving: () => receiving,
    dropConnections() {
      const connections = (server as unknown as { connections: Set<{ close(): void }> }).connections;
      for (const connection of [...connections]) connection.close();
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

function smtpError(reply: SmtpReply): Error {
  const err = new Error(reply.message) as Error & { responseCode: number };
  err.responseCode = reply.code;
  return err;
}
