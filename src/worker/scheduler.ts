import { loggerFor } from '../logger';

const log = loggerFor('scheduler');

/**
 * The worker's one scheduler: every periodic piece of work (due reminders and messages, the sweep of
 * mails whose job was lost, the housekeeping of rate-limit windows and sessions) is a task in one list,
 * with its interval. Each runs in every worker process; each is idempotent, so several workers running
 * the same task at once is harmless. The pg-boss queues remain for the jobs themselves (a mail's
 * delivery, a waiting list, a schedule run asked for at once), not for timing.
 */

/** A piece of periodic work. */
export interface PeriodicTask {
  /** Names the task in logs and in `runNow`. */
  name: string;
  /** Time between the starts of two runs (a run still under way makes the next one wait for it). */
  everySeconds: number;
  /** Run once as soon as the scheduler starts, too. */
  atStart?: boolean;
  run(): Promise<unknown>;
}

/** The running scheduler of one worker process. */
export interface Scheduler {
  /**
   * Runs a task now: asked while it runs, it runs once more right after (the run under way may have
   * missed what prompted the call). Resolves when done; rejects with the run's error.
   */
  runNow(name: string): Promise<void>;
  /** No new runs; waits for the runs under way. */
  stop(): Promise<void>;
}

/**
 * Starts the tasks. A task runs one at a time: a tick that comes while it runs is folded into one more
 * run after it. A failure is logged and is never fatal: the next tick tries again.
 */
export function startScheduler(tasks: readonly PeriodicTask[]): Scheduler {
  let stopped = false;
  const runners = new Map(tasks.map((task) => [task.name, serialRunner(task, () => stopped)]));
  const timers = tasks.map((task) =>
    setInterval(
      () =>
        void runners
          .get(task.name)!
          .run()
          .catch(() => undefined),
      task.everySeconds * 1000,
    ),
  );
  for (const task of tasks)
    if (task.atStart)
      void runners
        .get(task.name)!
        .run()
        .catch(() => undefined);
  return {
    runNow(name) {
      const runner = runners.get(name);
      if (!runner) return Promise.reject(new Error(`no periodic task named ${name}`));
      return runner.run();
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      await Promise.all([...runners.values()].map((r) => r.idle()));
    },
  };
}

/** Runs one task, never twice at once; calls that come during a run fold into one more run after it. */
function serialRunner(task: PeriodicTask, isStopped: () => boolean) {
  let running: Promise<void> | undefined;
  let again = false;
  async function once() {
    try {
      await task.run();
    } catch (err) {
      log.error({ err, task: task.name }, 'periodic task failed; trying again at the next tick');
      throw err;
    }
  }
  return {
    run(): Promise<void> {
      if (isStopped()) return Promise.resolve();
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        try {
          do {
            again = false;
            await once();
          } while (again && !isStopped());
        } finally {
          running = undefined;
        }
      })();
      return running;
    },
    async idle() {
      await running?.catch(() => undefined);
    },
  };
}
