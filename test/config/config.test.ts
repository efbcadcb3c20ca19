import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

describe('configuration', () => {
  it('when nothing is set, then the defaults apply: port 3000, ./data, embedded database, demo on', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.baseUrl).toBe('http://localhost:3000');
    expect(c.dataDir).toBe(path.resolve('./data'));
    expect(c.databaseUrl).toBeUndefined();
    expect(c.seedDemo).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('when values are set, then they are parsed and typed', () => {
    const c = loadConfig({
      PORT: '8080',
      BASE_URL: 'https://events.example.org/',
      DATABASE_URL: 'postgres://u:p@db:5432/tsunagaru',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'debug',
    });
    expect(c).toMatchObject({
      port: 8080,
      baseUrl: 'https://events.example.org',
      databaseUrl: 'postgres://u:p@db:5432/tsunagaru',
      seedDemo: false,
      logLevel: 'debug',
    });
  });

  it('when the pool size and a direct migration URL are set, then they are used; a pool size out of range is refused', () => {
    expect(loadConfig({}).databasePoolSize).toBe(10);
    expect(loadConfig({}).databaseMigrationUrl).toBeUndefined();
    const c = loadConfig({
      DATABASE_URL: 'postgres://u:p@pgbouncer:6432/tsunagaru',
      DATABASE_MIGRATION_URL: 'postgres://u:p@db:5432/tsunagaru',
      DATABASE_POOL_SIZE: '25',
    });
    expect(c).toMatchObject({
      databasePoolSize: 25,
      databaseMigrationUrl: 'postgres://u:p@db:5432/tsunagaru',
    });
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '1' })).toThrow(/DATABASE_POOL_SIZE/);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: 'many' })).toThrow(/DATABASE_POOL_SIZE/);
    expect(() => loadConfig({ DATABASE_MIGRATION_URL: 'mysql://db/x' })).toThrow(/DATABASE_MIGRATION_URL/);
  });

  it('when DATABASE_PREPARED_STATEMENTS is unset, then statements are prepared unless a direct migration URL says a pooler is in front; set, it decides', () => {
    const pooler = { DATABASE_MIGRATION_URL: 'postgres://u:p@db:5432/tsunagaru' };
    expect(loadConfig({}).databasePreparedStatements).toBe(true);
    expect(loadConfig(pooler).databasePreparedStatements).toBe(false);
    expect(loadConfig({ ...pooler, DATABASE_PREPARED_STATEMENTS: 'true' }).databasePreparedStatements).toBe(
      true,
    );
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: '0' }).databasePreparedStatements).toBe(false);
    expect(() => loadConfig({ DATABASE_PREPARED_STATEMENTS: 'sometimes' })).toThrow(
      /DATABASE_PREPARED_STATEMENTS/,
    );
  });

  it('when REGISTRATION_RATE_LIMIT is unset, a count per window or off, then it becomes that limit; anything else is refused', () => {
    expect(loadConfig({}).registrationRateLimit).toEqual({ registrationsPerWindow: 60, windowSeconds: 600 });
    expect(loadConfig({ REGISTRATION_RATE_LIMIT: '100/1h' }).registrationRateLimit).toEqual({
      registrationsPerWindow: 100,
      windowSeconds: 3600,
    });
    expect(loadConfig({ REGISTRATION_RATE_LIMIT: '5/30s' }).registrationRateLimit).toEqual({
      registrationsPerWindow: 5,
      windowSeconds: 30,
    });
    expect(loadConfig({ REGISTRATION_RATE_LIMIT: 'off' }).registrationRateLimit.registrationsPerWindow).toBe(
      Infinity,
    );
    for (const bad of ['60', '0/10m', '60/10d', '60/m', 'unlimited'])
      expect(() => loadConfig({ REGISTRATION_RATE_LIMIT: bad })).toThrow(/REGISTRATION_RATE_LIMIT/);
  });

  it('when MAIL_RETRY_BASE_SECONDS is unset or a number of seconds, then it is the first retry delay; 0, fractions and more than an hour are refused', () => {
    expect(loadConfig({}).mailRetryBaseSeconds).toBe(60);
    expect(loadConfig({ MAIL_RETRY_BASE_SECONDS: '5' }).mailRetryBaseSeconds).toBe(5);
    for (const bad of ['0', '1.5', '3601', 'soon']) {
      expect(() => loadConfig({ MAIL_RETRY_BASE_SECONDS: bad })).toThrow(/MAIL_RETRY_BASE_SECONDS/);
    }
  });

  it('when EVENT_PAGE_CACHE_SECONDS is unset, the event page is cached a second (none under NODE_ENV=test); a value sets it; out of range is refused', () => {
    expect(loadConfig({}).eventPageCacheSeconds).toBe(1);
    expect(loadConfig({ NODE_ENV: 'test' }).eventPageCacheSeconds).toBe(0);
    expect(loadConfig({ EVENT_PAGE_CACHE_SECONDS: '2.5' }).eventPageCacheSeconds).toBe(2.5);
    expect(loadConfig({ NODE_ENV: 'test', EVENT_PAGE_CACHE_SECONDS: '1' }).eventPageCacheSeconds).toBe(1);
    expect(() => loadConfig({ EVENT_PAGE_CACHE_SECONDS: '61' })).toThrow(ConfigError);
    expect(() => loadConfig({ EVENT_PAGE_CACHE_SECONDS: '-1' })).toThrow(ConfigError);
  });

  it('when MAIL_LEASE_SECONDS is unset, a mail is leased 3 minutes; a value sets it; junk or out of range is refused by name', () => {
    expect(loadConfig({}).mailLeaseSeconds).toBe(180);
    expect(loadConfig({ MAIL_LEASE_SECONDS: '600' }).mailLeaseSeconds).toBe(600);
    for (const bad of ['4', '3601', '2.5', 'soon']) {
      expect(() => loadConfig({ MAIL_LEASE_SECONDS: bad })).toThrow(/MAIL_LEASE_SECONDS/);
    }
  });

  it('when TRUST_PROXY is true, a count or junk, then it becomes a hop count or is refused', () => {
    expect(loadConfig({}).trustProxy).toBe(0);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(() => loadConfig({ TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY/);
  });

  it('when several values are wrong, then one ConfigError lists each of them', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        SMTP_URL: 'http://mail',
        MAIL_FROM: 'Tsunagaru <not an address>',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/DATABASE_URL/);
    expect(problems).toMatch(/LOG_LEVEL/);
    expect(problems).toMatch(/SMTP_URL/);
    expect(problems).toMatch(/MAIL_FROM must be an address/);
  });

  it('when all four Zoom settings are set, then Zoom is configured with its defaults; none, then it is off', () => {
    expect(loadConfig({}).zoom).toBeUndefined();
    const c = loadConfig({
      ZOOM_ACCOUNT_ID: 'a',
      ZOOM_CLIENT_ID: 'c',
      ZOOM_CLIENT_SECRET: 's',
      ZOOM_WEBHOOK_SECRET: 'w',
    });
    expect(c.zoom).toEqual({
      accountId: 'a',
      clientId: 'c',
      clientSecret: 's',
      webhookSecret: 'w',
      apiUrl: 'https://api.zoom.us/v2',
      oauthUrl: 'https://zoom.us/oauth/token',
      host: 'me',
    });
  });

  it('when only some Zoom settings are set, then the start is refused naming the missing one', () => {
    expect(() => loadConfig({ ZOOM_ACCOUNT_ID: 'a', ZOOM_CLIENT_ID: 'c', ZOOM_CLIENT_SECRET: 's' })).toThrow(
      /ZOOM_WEBHOOK_SECRET ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET, ZOOM_WEBHOOK_SECRET must be set together/,
    );
  });

  it('when DKIM_PRIVATE_KEY names a file that cannot be read, then the start is refused saying so', () => {
    expect(() =>
      loadConfig({
        DKIM_DOMAIN: 'events.example.org',
        DKIM_SELECTOR: 's1',
        DKIM_PRIVATE_KEY: '/nonexistent/key.pem',
      }),
    ).toThrow(/DKIM_PRIVATE_KEY is neither a PEM key nor a readable file/);
  });

  it('when NODE_ENV is production without SESSION_SECRET or BASE_URL, then both are reported as required', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /SESSION_SECRET is required[\s\S]*BASE_URL is required/,
    );
  });
});
