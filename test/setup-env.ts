import { setLogLevel } from '../src/logger';

// Tests assert on outcomes, not log lines; keep the output readable.
setLogLevel(process.env.TEST_LOG_LEVEL ?? 'silent');
