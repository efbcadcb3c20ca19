import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * The only reader of process.env. Every setting the product understands is declared here, validated
 * once at start, and handed around as a frozen object, so a typo in the environment fails at start with
 * a clear message instead of at the first request that needs the value.
 */

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const postgresUrl = z
  .string()
  .refine(
    (v) => /^postgres(ql)?:\/\/\S+$/.test(v) && URL.canParse(v),
    'must be a postgres:// or postgresql:// URL',
  );

/** The Zoom settings that only work together. */
const zoomKeys = ['ZOOM_ACCOUNT_ID', 'ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET', 'ZOOM_WEBHOOK_SECRET'] as const;

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    BASE_URL: z.string().url().optional(),
    DATABASE_URL: postgresUrl.optional(),
    DATABASE_MIGRATION_URL: postgresUrl.optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
    DATA_DIR: z.string().min(1).default('./data'),
    // How long a rendered public event page is served from the web process's memory (src/site/page-cache.ts).
    EVENT_PAGE_CACHE_SECONDS: z.coerce.number().min(0).max(60).optional(),
    SMTP_URL: z
      .string()
      .refine((v) => /^smtps?:\/\//.test(v), 'must start with smtp:// or smtps://')
      .optional(),
    MAIL_FROM: z
      .string()
      .refine(
        (v) => /^(?:[^<>\r\n]*<)?[^\s<>@]+@[^\s<>@]+>?$/.test(v.trim()),
        'must be an address or "Name <address>"',
      )
      .default('Tsunagaru <no-reply@localhost>'),
    // The wait before a mail the SMTP server did not take is tried again; it doubles at each attempt.
    MAIL_RETRY_BASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    // How long a worker has a mail to itself while it talks to the SMTP server; after that another
    // worker may take it over. Longer than the transport's timeouts, so only a dead worker loses one.
    MAIL_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(180),
    DKIM_DOMAIN: z.string().min(1).optional(),
    DKIM_SELECTOR: z.string().min(1).optional(),
    DKIM_PRIVATE_KEY: z.string().min(1).optional(),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    LOG_LEVEL: z.enum(logLevels).default('info'),
    SEED_DEMO: z
      .enum(['true', 'false', '1', '0'])
      .default('true')
      .transform((v) => v === 'true' || v === '1'),
    // Off behind a connection pooler in transaction mode that cannot keep named statements (PgBouncer
    // before 1.21, or with max_prepared_statements = 0). Unset: on, unless DATABASE_MIGRATION_URL says
    // that DATABASE_URL goes through such a pooler.
    DATABASE_PREPARED_STATEMENTS: z
      .enum(['true', 'false', '1', '0'])
      .optional()
      .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1')),
    // Registrations per client address and event: `N/<number><s|m|h>` (60/10m: 60 in ten minutes) or `off`.
    REGISTRATION_RATE_LIMIT: z
      .string()
      .regex(
        /^(off|[1-9][0-9]{0,5}\/[1-9][0-9]{0,4}[smh])$/,
        'must be off or like 60/10m (N per number of s, m or h)',
      )
      .default('60/10m')
      .transform(rateLimitRule),
    // How many reverse proxies stand in front: the client address is taken that many hops from the
    // right of X-Forwarded-For, never from its client-controlled left end. `true` means one.
    TRUST_PROXY: z
      .string()
      .regex(/^(true|false|[0-9])$/, 'must be false, true (one proxy) or the number of proxies (0-9)')
      .default('false')
      .transform((v) => (v === 'true' ? 1 : v === 'false' ? 0 : Number(v))),
    // Zoom (a Server-to-Server OAuth app): all four or none.
    ZOOM_ACCOUNT_ID: z.string().min(1).optional(),
    ZOOM_CLIENT_ID: z.string().min(1).optional(),
    ZOOM_CLIENT_SECRET: z.string().min(1).optional(),
    ZOOM_WEBHOOK_SECRET: z.string().min(1).optional(),
    ZOOM_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.zoom.us/v2'),
    ZOOM_OAUTH_URL: z.url({ protocol: /^https?$/ }).default('https://zoom.us/oauth/token'),
    // The Zoom user (e-mail or id) new webinars and meetings are created for.
    ZOOM_HOST: z.string().min(1).default('me'),
  })
  .superRefine((env, ctx) => {
    const dkim = [env.DKIM_DOMAIN, env.DKIM_SELECTOR, env.DKIM_PRIVATE_KEY].filter(Boolean).length;
    if (dkim > 0 && dkim < 3) {
      ctx.addIssue({
        code: 'custom',
        path: ['DKIM_PRIVATE_KEY'],
        message: 'DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY must be set together',
      });
    }
    const zoom = zoomKeys.filter((k) => env[k]).length;
    if (zoom > 0 && zoom < zoomKeys.length) {
      ctx.addIssue({
        code: 'custom',
        path: [zoomKeys.find((k) => !env[k])!],
        message: `${zoomKeys.join(', ')} must be set together`,
      });
    }
    if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['SESSION_SECRET'],
        message: 'is required when NODE_ENV=production',
      });
    }
    if (env.NODE_ENV === 'production' && !env.BASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['BASE_URL'], message: 'is required when NODE_ENV=production' });
    }
  });

const unitSeconds = { s: 1, m: 60, h: 3600 } as const;

/** `60/10m` → 60 per 600 s; `off` → no limit (Infinity). */
function rateLimitRule(value: string): { registrationsPerWindow: number; windowSeconds: number } {
  if (value === 'off') return { registrationsPerWindow: Infinity, windowSeconds: 600 };
  const [count, window] = value.split('/') as [string, string];
  const unit = window.slice(-1) as keyof typeof unitSeconds;
  return {
    registrationsPerWindow: Number(count),
    windowSeconds: Number(window.slice(0, -1)) * unitSeconds[unit],
  };
}

/** The validated settings. `sessionSecret` is undefined until the data directory supplies one. */
export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly baseUrl: string;
  readonly databaseUrl: string | undefined;
  /** Connections each process keeps open at most (its pool); count them against max_connections. */
  readonly databasePoolSize: number;
  /**
   * A direct connection for migrations, when DATABASE_URL goes through a transaction-pooling PgBouncer:
   * the migration lock is session-level and needs one server connection from start to end.
   */
  readonly databaseMigrationUrl: string | undefined;
  readonly dataDir: string;
  /**
   * Seconds a rendered public event page is served from memory before the event is read again (0: never
   * cached). 1 by default; 0 under NODE_ENV=test, where tests change an event and look at once.
   */
  readonly eventPageCacheSeconds: number;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** Seconds before the first retry of a mail the SMTP server did not take (then 2×, 4× … up to an hour). */
  readonly mailRetryBaseSeconds: number;
  /** Seconds a claimed mail is its worker's alone; a worker that dies mid-send delays it this long. */
  readonly mailLeaseSeconds: number;
  /** DKIM signing for outgoing mail, when configured. */
  readonly dkim: { domain: string; selector: string; privateKey: string } | undefined;
  readonly sessionSecret: string | undefined;
  readonly logLevel: (typeof logLevels)[number];
  readonly seedDemo: boolean;
  /** Whether the hot paths' statements are prepared on each connection (src/db/pool.ts `prepared`). */
  readonly databasePreparedStatements: boolean;
  /** Reverse proxies in front of the app (0: none); their X-Forwarded-For entries are trusted. */
  readonly trustProxy: number;
  /** Registrations allowed per client address and event in each window (Infinity: no limit). */
  readonly registrationRateLimit: { registrationsPerWindow: number; windowSeconds: number };
  /** The Zoom account's app, when configured; without it events link no Zoom webinar. */
  readonly zoom: ZoomConfig | undefined;
}

/** A Zoom Server-to-Server OAuth app and where its API answers. */
export interface ZoomConfig {
  readonly accountId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly webhookSecret: string;
  /** Base of the REST API, without a trailing slash (`https://api.zoom.us/v2`). */
  readonly apiUrl: string;
  readonly oauthUrl: string;
  /** The Zoom user (e-mail or id, or `me`) new webinars and meetings belong to. */
  readonly host: string;
}

/** Thrown by loadConfig with every problem found, one per line, ready to print. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The DKIM key: PEM text (with real or `\n`-escaped line breaks, as environment files often hold it), or
 * the path of a file holding it.
 */
function dkimKey(value: string): string {
  if (value.includes('-----BEGIN')) return value.replace(/\\n/g, '\n');
  try {
    return fs.readFileSync(value, 'utf8');
  } catch (err) {
    throw new ConfigError([
      `DKIM_PRIVATE_KEY is neither a PEM key nor a readable file (${(err as Error).message})`,
    ]);
  }
}

/** Reads and validates the given environment (process.env by default). Throws ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'} ${i.message}`),
    );
  }
  const e = parsed.data;
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    baseUrl: (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databaseMigrationUrl: e.DATABASE_MIGRATION_URL,
    dataDir: path.resolve(e.DATA_DIR),
    eventPageCacheSeconds: e.EVENT_PAGE_CACHE_SECONDS ?? (e.NODE_ENV === 'test' ? 0 : 1),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM.trim(),
    mailRetryBaseSeconds: e.MAIL_RETRY_BASE_SECONDS,
    mailLeaseSeconds: e.MAIL_LEASE_SECONDS,
    dkim:
      e.DKIM_DOMAIN && e.DKIM_SELECTOR && e.DKIM_PRIVATE_KEY
        ? { domain: e.DKIM_DOMAIN, selector: e.DKIM_SELECTOR, privateKey: dkimKey(e.DKIM_PRIVATE_KEY) }
        : undefined,
    sessionSecret: e.SESSION_SECRET,
    logLevel: e.LOG_LEVEL,
    seedDemo: e.SEED_DEMO,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS ?? !e.DATABASE_MIGRATION_URL,
    trustProxy: e.TRUST_PROXY,
    registrationRateLimit: e.REGISTRATION_RATE_LIMIT,
    zoom:
      e.ZOOM_ACCOUNT_ID && e.ZOOM_CLIENT_ID && e.ZOOM_CLIENT_SECRET && e.ZOOM_WEBHOOK_SECRET
        ? Object.freeze({
            accountId: e.ZOOM_ACCOUNT_ID,
            clientId: e.ZOOM_CLIENT_ID,
            clientSecret: e.ZOOM_CLIENT_SECRET,
            webhookSecret: e.ZOOM_WEBHOOK_SECRET,
            apiUrl: e.ZOOM_API_URL.replace(/\/+$/, ''),
            oauthUrl: e.ZOOM_OAUTH_URL,
            host: e.ZOOM_HOST,
          })
        : undefined,
  });
}
