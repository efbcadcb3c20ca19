// An SMTP server for CI that accepts every message and writes it to DIR/<n>.eml; prints its port.
// Usage: node .ci/smtp-sink.js DIR   (smtp-server comes from the CI checkout's devDependencies)
const fs = require('node:fs');
const path = require('node:path');
const { SMTPServer } = require('smtp-server');

const dir = process.argv[2];
let n = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      const to = session.envelope.rcptTo.map((r) => r.address).join(',');
      fs.writeFileSync(path.join(dir, `${++n}.eml`), `X-Envelope-To: ${to}\r\n${Buffer.concat(chunks)}`);
      callback();
    });
  },
});
server.listen(0, '127.0.0.1', () => console.log(server.server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
