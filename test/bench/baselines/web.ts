import express from 'express';
import pg from 'pg';

/**
 * The minimal handlers the stack allows, started by the bench as a process of its own beside the product
 * (`node --import tsx test/bench/baselines/web.ts`, NODE_ENV=production, the same PostgreSQL):
 * - GET /bare: a bare Express GET answering a short constant page (P2's baseline);
 * - POST /register: a url-encoded body parsed by Express and one INSERT through a pg pool of the size the
 *   product uses, then the same 303 a registration answers (P1's baseline).
 * Prints `listening <port>` once it accepts connections.
 */

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.POOL_SIZE ?? 10),
});
const app = express();
app.disable('x-powered-by');

app.get('/bare', (_req, res) => {
  res.type('html').send('<!doctype html><title>bare</title><p>Hello</p>');
});

app.post('/register', express.urlencoded({ extended: false, limit: '32kb' }), async (req, res) => {
  const body = req.body as Record<string, string>;
  await pool.query('INSERT INTO bench_baseline (email, family_name, given_name) VALUES ($1, $2, $3)', [
    body.email,
    body.familyName,
    body.givenName,
  ]);
  res.redirect(303, '/registered');
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : ''}`);
});
process.on('SIGTERM', () => {
  server.close();
  void pool.end();
});
