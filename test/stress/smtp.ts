import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { topHeaders } from '../helpers/smtp';

/**
 * A real SMTP server (npm smtp-server) that can go down and come back on the same port, as a mail
 * relay does for maintenance: while down, new connections are refused (ECONNREFUSED) and open ones are
 * told `421 Server shutting down` at their next command and closed. It keeps the recipient and
 * Message-ID of every message it accepted (answered 250), across its restarts.
 */
export interface RestartableSmtp {
  readonly url: string;
  /** Every accepted message, in the order of its 250. */
  readonly received: { to: string; messageId: string; client: string }[];
  /** Goes down: refuses connections from now on; resolves once nothing is listening or connected. */
  goDown(): Promise<void>;
  /** Comes back on the same port. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

export async function startRestartableSmtp(): Promise<RestartableSmtp> {
  const received: RestartableSmtp['received'] = [];
  const closed = new Set<string>();
  const make = () => {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // How long open connections may finish the message in hand once the server goes down (their next
      // command is answered 421 at once); then they are closed.
      closeTimeout: 5_000,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          // A message whose connection is gone was never accepted: the client cannot hear a 250.
          if (closed.has(session.id)) return callback(new Error('connection closed'));
          const headers = topHeaders(Buffer.concat(chunks).toString('utf8'));
          received.push({
            to: session.envelope.rcptTo[0]?.address ?? '',
            messageId: headers['message-id'] ?? '',
            client: String(session.hostNameAppearsAs || ''),
          });
          callback();
        });
      },
      onClose(session) {
        closed.add(session.id);
      },
    });
    // A client killed mid-message resets its connection: expected here, not a failure.
    server.on('error', () => undefined);
    return server;
  };
  let server: SMTPServer | undefined = make();
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const stop = async () => {
    const s = server;
    server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    goDown: stop,
    async comeBack() {
      server = make();
      await new Promise<void>((resolve, reject) => {
        server!.server.once('error', reject);
        server!.listen(port, '127.0.0.1', resolve);
      });
    },
    close: stop,
  };
}
