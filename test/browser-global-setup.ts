import globalSetup from './global-setup';
import { CHROMIUM_ENDPOINT, launchChromiumServer } from './helpers/browser';

/**
 * Once per browser run: the database template of the main suite, and ONE Chromium that every test
 * file connects to (a launch costs seconds on a small machine; a connection, milliseconds).
 */
export default async function browserGlobalSetup(): Promise<void> {
  await globalSetup();
  const server = await launchChromiumServer();
  (globalThis as Record<string, unknown>).__tsunagaruChromium = server;
  process.env[CHROMIUM_ENDPOINT] = server.wsEndpoint();
}
