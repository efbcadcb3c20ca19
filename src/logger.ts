import pino from 'pino';

/**
 * Technical log: JSON lines on stdout. Business events go to the audit table, not here.
 * The level is set once by main.ts from config; modules take a child logger with their name.
 */
export const logger = pino({
  level: 'info',
  base: undefined,
  redact: ['req.headers.cookie', 'req.headers.authorization', '*.password', '*.meetingPasscode'],
});

/** Sets the level for the root logger and every child made from it. */
export function setLogLevel(level: string): void {
  logger.level = level;
}

/** A child logger that tags every line with the module it came from. */
export function loggerFor(module: string): pino.Logger {
  return logger.child({ module });
}
