import type { BrowserServer } from 'playwright-core';
import globalTeardown from './global-teardown';

/** Closes the run's Chromium and drops the template database. */
export default async function browserGlobalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__tsunagaruChromium as BrowserServer | undefined;
  await server?.close();
  await globalTeardown();
}
