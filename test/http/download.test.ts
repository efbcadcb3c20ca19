import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../src/http/error-handler';
import { streamInto } from '../../src/http/download';

/** streamInto's two ways to fail: before the first byte (a status) and half-way (a broken download). */
function appWith(run: (out: NodeJS.WritableStream) => Promise<void>) {
  const app = express();
  app.get('/api/file', async (_req, res) => {
    res.set({ 'Content-Type': 'text/csv', 'Content-Disposition': 'attachment; filename="x.csv"' });
    await streamInto(res, run);
  });
  app.use(errorHandler);
  return app;
}

describe('streaming a download', () => {
  it('when the writer fails before writing anything, then the error handler answers with a status, not a closed connection', async () => {
    const refused = Object.assign(new Error('invalid byte sequence'), { code: '22021', severity: 'ERROR' });
    const res = await request(appWith(() => Promise.reject(refused))).get('/api/file');
    expect(res.status).toBe(400);
    expect(res.headers['content-disposition']).toBeUndefined();
    expect(res.body.error.code).toBe('invalid_input');
  });

  it('when the writer fails half-way, then the download breaks rather than ending like a complete file', async () => {
    const app = appWith(async (out) => {
      out.write('a,b\n');
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('lost the database');
    });
    await expect(request(app).get('/api/file')).rejects.toThrow();
  });
});
