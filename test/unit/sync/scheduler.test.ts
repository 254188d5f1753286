import { afterEach, describe, expect, it, vi } from 'vitest';
import { SyncScheduler, type SchedulerClock, type SyncSchedulerOptions } from '../../../electron/core/sync/scheduler';
import type {
  RunOutcome,
  RunReport,
  ScheduleHours,
  SchedulerState,
  SyncTrigger,
} from '../../../electron/shared/domain';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TICK = 30 * SECOND;
const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
/** The start of a run as its refusal names it: local time, as the window shows times. */
const localTime = (at: number) => new Date(at).toLocaleTimeString('en-US', { hour12: false });

/** Lets promise callbacks (a runner finishing, the scheduler reacting) run to completion. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A wall clock the test moves by hand. Intervals fire as on a running machine; sleep() skips them. */
class FakeClock implements SchedulerClock {
  private nextHandle = 1;
  private readonly intervals = new Map<number, { callback: () => void; ms: number; nextAt: number }>();

  constructor(public time: number) {}

  now(): number {
    return this.time;
  }

  setInterval(callback: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    this.intervals.set(handle, { callback, ms, nextAt: this.time + ms });
    return handle;
  }

  clearInterval(handle: unknown): void {
    this.intervals.delete(handle as number);
  }

  get activeIntervals(): number {
    return this.intervals.size;
  }

  /** Time passes while awake: every interval fires at each of its due times, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const next = [...this.intervals.values()].sort((a, b) => a.nextAt - b.nextAt)[0];
      if (!next || next.nextAt > end) break;
      this.time = next.nextAt;
      next.nextAt += next.ms;
      next.callback();
      await settle();
    }
    this.time = end;
    await settle();
  }

  /** The machine sleeps: the wall clock jumps and no timer fires in between. */
  sleep(ms: number): void {
    this.time += ms;
    for (const interval of this.intervals.values()) interval.nextAt = this.time + interval.ms;
  }

  /** Fires every interval right now, as timers that were held back during sleep may do on wake. */
  async fireAll(): Promise<void> {
    for (const interval of [...this.intervals.values()]) {
      interval.callback();
      await settle();
    }
  }
}

function outcome(status: RunOutcome['status'], startedAt: number, extra: Partial<RunOutcome> = {}): RunOutcome {
  return {
    runId: 1,
    status,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(startedAt).toISOString(),
    counts: { files: 2, rows: 10, created: 4, updated: 5, skipped: 1, rejected: 0 },
    ...extra,
  };
}

/**
 * The sync engine's stand-in. Records each call with the clock time, writes the start to a fake run log
 * (as the real engine does), and either finishes at once or is held until the test finishes it.
 */
class FakeRunner {
  readonly calls: { trigger: SyncTrigger; at: number }[] = [];
  runLogLastStart: number | null = null;
  holdRuns = false;
  writesRunLog = true;
  nextResult: (startedAt: number) => Promise<RunOutcome> = async (startedAt) => outcome('succeeded', startedAt);
  private held: { resolve: (value: RunOutcome) => void; startedAt: number }[] = [];

  constructor(private readonly clock: FakeClock) {}

  readonly runSync = (trigger: SyncTrigger): Promise<RunOutcome> => {
    const startedAt = this.clock.now();
    this.calls.push({ trigger, at: startedAt });
    if (this.writesRunLog) this.runLogLastStart = startedAt;
    if (!this.holdRuns) return this.nextResult(startedAt);
    return new Promise((resolve) => this.held.push({ resolve, startedAt }));
  };

  async finishHeldRun(): Promise<void> {
    const run = this.held.shift();
    if (!run) throw new Error('no run is in flight');
    run.resolve(outcome('succeeded', run.startedAt, { finishedAt: new Date(this.clock.now()).toISOString() }));
    await settle();
  }
}

interface Setup {
  everyHours: ScheduleHours | null;
  lastRunStart?: number | null;
  paused?: boolean;
}

const schedulers: SyncScheduler[] = [];

function setUp({ everyHours, lastRunStart = null, paused }: Setup) {
  const clock = new FakeClock(T0);
  const runner = new FakeRunner(clock);
  runner.runLogLastStart = lastRunStart;
  const options: SyncSchedulerOptions = {
    clock,
    runSync: runner.runSync,
    getLastRunStart: () => runner.runLogLastStart,
    everyHours,
    paused,
    tickMs: TICK,
  };
  const scheduler = new SyncScheduler(options);
  schedulers.push(scheduler);
  const finished: RunReport[] = [];
  scheduler.on('run-finished', (report) => finished.push(report));
  return { clock, runner, scheduler, finished };
}

afterEach(async () => {
  // Hold-mode runners that a test left in flight would keep stop() waiting; stopping without awaiting is enough.
  for (const scheduler of schedulers.splice(0)) void scheduler.stop();
  vi.restoreAllMocks();
});

describe('SyncScheduler intervals', () => {
  it.each([6, 12, 24] as const)('runs every %i hours counted from the last run start, not its end', async (hours) => {
    const { clock, runner, scheduler } = setUp({ everyHours: hours });
    runner.holdRuns = true;
    scheduler.start();
    expect(runner.calls).toEqual([{ trigger: 'startup', at: T0 }]);

    // The first run takes an hour; the next is still due `hours` after it started.
    await clock.advance(1 * HOUR);
    await runner.finishHeldRun();
    runner.holdRuns = false;
    expect(scheduler.getState().nextRunAt).toBe(T0 + hours * HOUR);

    await clock.advance(hours * HOUR - 1 * HOUR - TICK);
    expect(runner.calls).toHaveLength(1);
    await clock.advance(TICK);
    expect(runner.calls).toEqual([
      { trigger: 'startup', at: T0 },
      { trigger: 'schedule', at: T0 + hours * HOUR },
    ]);

    await clock.advance(hours * HOUR);
    expect(runner.calls.map((call) => call.at)).toEqual([T0, T0 + hours * HOUR, T0 + 2 * hours * HOUR]);
  });

  it('does not start a second run while a long one is in flight, and runs once right after it if one came due', async () => {
    const { clock, runner, scheduler } = setUp({ everyHours: 6 });
    runner.holdRuns = true;
    scheduler.start();

    await clock.advance(7 * HOUR); // past the 6 h due time, with hundreds of ticks
    expect(runner.calls).toHaveLength(1);

    runner.holdRuns = false;
    await runner.finishHeldRun();
    expect(runner.calls).toEqual([
      { trigger: 'startup', at: T0 },
      { trigger: 'schedule', at: T0 + 7 * HOUR },
    ]);
    expect(scheduler.getState().nextRunAt).toBe(T0 + 13 * HOUR);
  });

  it('never runs on its own with the schedule off', async () => {
    const { clock, runner, scheduler } = setUp({ everyHours: null });
    scheduler.start();
    await clock.advance(3 * DAY);
    scheduler.checkNow();
    await settle();
    expect(runner.calls).toEqual([]);
    expect(scheduler.getState().nextRunAt).toBeNull();
  });
});

describe('SyncScheduler sleep and restarts', () => {
  it('runs once on the first tick after a 3-day sleep, not a burst of missed runs', async () => {
    const { clock, runner, scheduler } = setUp({ everyHours: 6 });
    scheduler.start();
    await settle();

    clock.sleep(3 * DAY);
    await clock.fireAll();
    await clock.fireAll(); // held-back timers firing together on wake
    await clock.advance(5 * HOUR);

    expect(runner.calls).toEqual([
      { trigger: 'startup', at: T0 },
      { trigger: 'schedule', at: T0 + 3 * DAY },
    ]);
  });

  it('runs once when the shell reports wake through checkNow(), before any tick', async () => {
    const { clock, runner, scheduler } = setUp({ everyHours: 12 });
    scheduler.start();
    await settle();

    clock.sleep(3 * DAY + 10 * SECOND);
    scheduler.checkNow();
    scheduler.checkNow();
    await settle();
    await clock.advance(TICK);

    expect(runner.calls.map((call) => call.trigger)).toEqual(['startup', 'schedule']);
    expect(runner.calls[1]?.at).toBe(T0 + 3 * DAY + 10 * SECOND);
  });

  it('after 5 days closed, runs once at start and next at start + interval', async () => {
    const { clock, runner, scheduler } = setUp({ everyHours: 6, lastRunStart: T0 - 5 * DAY });
    scheduler.start();
    await settle();
    expect(runner.calls).toEqual([{ trigger: 'startup', at: T0 }]);

    await clock.advance(6 * HOUR - TICK);
    expect(runner.calls).toHaveLength(1);
    await clock.advance(TICK);
    expect(runner.calls[1]).toEqual({ trigger: 'schedule', at: T0 + 6 * HOUR });
  });

  it('does not run at start when the last run (from the run log) is recent; runs when it comes due', async () => {
    const { clock, runner, scheduler } = setUp({ everyHours: 6, lastRunStart: T0 - 1 * HOUR });
    scheduler.start();
    await settle();
    expect(runner.calls).toEqual([]);
    expect(scheduler.getState()).toMatchObject({ lastRunStart: T0 - 1 * HOUR, nextRunAt: T0 + 5 * HOUR });

    await clock.advance(5 * HOUR);
    expect(runner.calls).toEqual([{ trigger: 'schedule', at: T0 + 5 * HOUR }]);
  });

  it('counts a run found in the run log that it did not start itself (e.g. from the CLI)', async () => {
    const { clock, runner, scheduler } = setUp({ everyHours: 6 });
    scheduler.start();
    await settle();

    await clock.advance(4 * HOUR);
    runner.runLogLastStart = T0 + 4 * HOUR; // another process synced the same database
    await clock.advance(3 * HOUR);
    expect(runner.calls).toHaveLength(1);
    await clock.advance(3 * HOUR);
    expect(runner.calls[1]).toEqual({ trigger: 'schedule', at: T0 + 10 * HOUR });
  });

  it('keeps scheduling from its own record when reading the run log throws', async () => {
    const clock = new FakeClock(T0);
    const runner = new FakeRunner(clock);
    const scheduler = new SyncScheduler({
      clock,
      runSync: runner.runSync,
      getLastRunStart: () => {
        throw new Error('database is locked');
      },
      everyHours: 6,
      tickMs: TICK,
    });
    schedulers.push(scheduler);
    scheduler.start();
    await clock.advance(6 * HOUR);
    expect(runner.calls).toEqual([
      { trigger: 'startup', at: T0 },
      { trigger: 'schedule', at: T0 + 6 * HOUR },
    ]);
  });
});

describe('SyncScheduler schedule and settings changes', () => {
  it('runs right away when the schedule changes; the next run is due from that run', async () => {
    const { clock, runner, scheduler } = setUp({ everyHours: 24, lastRunStart: T0 - 1 * HOUR });
    scheduler.start();
    await clock.advance(10 * MINUTE);
    expect(runner.calls).toEqual([]);

    expect(scheduler.setSchedule(6)).toEqual({ started: true, startedAt: T0 + 10 * MINUTE });
    await settle();
    expect(scheduler.getState()).toMatchObject({ everyHours: 6, nextRunAt: T0 + 10 * MINUTE + 6 * HOUR });

    await clock.advance(6 * HOUR);
    expect(runner.calls).toEqual([
      { trigger: 'settings-changed', at: T0 + 10 * MINUTE },
      { trigger: 'schedule', at: T0 + 10 * MINUTE + 6 * HOUR },
    ]);
  });

  it('does nothing for an unchanged schedule, stops scheduling when turned off, and runs when turned back on', async () => {
    const { clock, runner, scheduler } = setUp({ everyHours: 6, lastRunStart: T0 - 1 * HOUR });
    scheduler.start();

    expect(scheduler.setSchedule(6)).toEqual({ started: false, reason: 'The schedule is unchanged' });
    expect(scheduler.setSchedule(null)).toEqual({ started: false, reason: 'Scheduled syncs are off' });
    await clock.advance(2 * DAY);
    expect(runner.calls).toEqual([]);

    expect(scheduler.setSchedule(12).started).toBe(true);
    await settle();
    expect(runner.calls).toEqual([{ trigger: 'settings-changed', at: T0 + 2 * DAY }]);
  });

  it('runs right away when a mapping changes, even with the schedule off', async () => {
    const { clock, runner, scheduler } = setUp({ everyHours: null });
    scheduler.start();
    await clock.advance(1 * HOUR);
    expect(scheduler.settingsChanged()).toEqual({ started: true, startedAt: T0 + 1 * HOUR });
    await settle();
    expect(runner.calls).toEqual([{ trigger: 'settings-changed', at: T0 + 1 * HOUR }]);
  });

  it('queues one follow-up run for mapping changes made while a sync runs', async () => {
    const { clock, runner, scheduler } = setUp({ everyHours: 24 });
    runner.holdRuns = true;
    scheduler.start();
    await clock.advance(5 * MINUTE);

    const first = scheduler.settingsChanged();
    const second = scheduler.settingsChanged();
    expect(first).toEqual({
      started: false,
      reason: `A sync is already running (started at ${localTime(T0)}); another will run with the new settings when it finishes`,
      runningSince: T0,
    });
    expect(second.started).toBe(false);

    await clock.advance(5 * MINUTE);
    await runner.finishHeldRun();
    await runner.finishHeldRun();
    await clock.advance(1 * HOUR);
    expect(runner.calls).toEqual([
      { trigger: 'startup', at: T0 },
      { trigger: 'settings-changed', at: T0 + 10 * MINUTE },
    ]);
  });
});

describe('SyncScheduler overlap', () => {
  it('refuses "sync now" while a sync runs, with a message, and allows it again afterwards', async () => {
    const { clock, runner, scheduler } = setUp({ everyHours: null });
    runner.holdRuns = true;
    scheduler.start();

    expect(scheduler.syncNow()).toEqual({ started: true, startedAt: T0 });
    await clock.advance(2 * MINUTE);
    expect(scheduler.syncNow()).toEqual({
      started: false,
      reason: `A sync is already running (started at ${localTime(T0)})`,
      runningSince: T0,
    });
    expect(scheduler.getState()).toMatchObject({ running: true, runningSince: T0 });

    await runner.finishHeldRun();
    expect(scheduler.getState()).toMatchObject({ running: false, runningSince: null, lastRunStart: T0 });
    expect(scheduler.syncNow().started).toBe(true);
    expect(runner.calls).toEqual([
      { trigger: 'manual', at: T0 },
      { trigger: 'manual', at: T0 + 2 * MINUTE },
    ]);
  });

  it('does not start a scheduled run when the tick finds one due while a manual sync runs', async () => {
    const { clock, runner, scheduler } = setUp({ everyHours: 6, lastRunStart: T0 - 5 * HOUR - 50 * MINUTE });
    runner.holdRuns = true;
    scheduler.start();
    scheduler.syncNow();

    await clock.advance(1 * HOUR); // the scheduled run came due at T0 + 10 min
    expect(runner.calls).toEqual([{ trigger: 'manual', at: T0 }]);

    // The manual run's start now counts: nothing more is due when it ends.
    await runner.finishHeldRun();
    expect(runner.calls).toHaveLength(1);
    expect(scheduler.getState().nextRunAt).toBe(T0 + 6 * HOUR);
  });
});

describe('SyncScheduler pause', () => {
  it('does not run while paused even when due, allows "sync now", and runs once on resume if due', async () => {
    const { clock, runner, scheduler } = setUp({ everyHours: 6, lastRunStart: T0 - 1 * HOUR });
    scheduler.start();
    scheduler.pause();
    expect(scheduler.getState()).toMatchObject({ paused: true, nextRunAt: null });

    await clock.advance(1 * DAY);
    expect(runner.calls).toEqual([]);

    expect(scheduler.syncNow().started).toBe(true);
    await settle();
    await clock.advance(1 * DAY);
    expect(runner.calls).toEqual([{ trigger: 'manual', at: T0 + 1 * DAY }]);

    scheduler.resume();
    await settle();
    await clock.advance(1 * HOUR);
    expect(runner.calls).toEqual([
      { trigger: 'manual', at: T0 + 1 * DAY },
      { trigger: 'schedule', at: T0 + 2 * DAY },
    ]);
  });

  it('does not run on resume when nothing came due', async () => {
    const { clock, runner, scheduler } = setUp({ everyHours: 24, lastRunStart: T0 - 1 * HOUR });
    scheduler.start();
    scheduler.pause();
    await clock.advance(2 * HOUR);
    scheduler.resume();
    await settle();
    expect(runner.calls).toEqual([]);
    expect(scheduler.getState().nextRunAt).toBe(T0 + 23 * HOUR);
  });

  it('starts paused without a startup run, and runs once on resume', async () => {
    const { clock, runner, scheduler } = setUp({ everyHours: 6, paused: true });
    scheduler.start();
    await clock.advance(1 * DAY);
    expect(runner.calls).toEqual([]);

    scheduler.resume();
    await clock.advance(1 * HOUR);
    expect(runner.calls).toEqual([{ trigger: 'schedule', at: T0 + 1 * DAY }]);
  });

  it('defers a mapping change made while paused to one run on resume', async () => {
    const { clock, runner, scheduler } = setUp({ everyHours: 24, lastRunStart: T0 - 1 * HOUR, paused: true });
    scheduler.start();
    expect(scheduler.settingsChanged()).toEqual({
      started: false,
      reason: 'Syncing is paused; a sync will run when it is resumed',
    });
    expect(scheduler.setSchedule(12).started).toBe(false);
    await clock.advance(1 * HOUR);
    expect(runner.calls).toEqual([]);

    scheduler.resume();
    await clock.advance(1 * HOUR);
    expect(runner.calls).toEqual([{ trigger: 'settings-changed', at: T0 + 1 * HOUR }]);
  });
});

describe('SyncScheduler reporting', () => {
  it.each(['succeeded', 'partial', 'failed'] as const)('reports a %s run to run-finished listeners', async (status) => {
    const { runner, scheduler, finished } = setUp({ everyHours: 6 });
    const expected = outcome(status, T0, status === 'succeeded' ? {} : { error: 'accounts.csv: 3 rows rejected' });
    runner.nextResult = async () => expected;
    scheduler.start();
    await settle();
    expect(finished).toEqual([{ ...expected, trigger: 'startup' }]);
  });

  it('reports a runner that throws as a failed run and keeps scheduling from its start', async () => {
    const { clock, runner, scheduler, finished } = setUp({ everyHours: 6, lastRunStart: T0 - 7 * HOUR });
    runner.nextResult = async () => {
      throw new Error('The bucket does not exist');
    };
    runner.writesRunLog = false; // it failed before anything reached the run log
    scheduler.start();
    await settle();

    expect(finished).toEqual([
      {
        runId: null,
        trigger: 'startup',
        status: 'failed',
        startedAt: '2025-01-06T09:00:00.000Z',
        finishedAt: '2025-01-06T09:00:00.000Z',
        error: 'The bucket does not exist',
        counts: { files: 0, rows: 0, created: 0, updated: 0, skipped: 0, rejected: 0 },
      },
    ]);
    runner.nextResult = async (startedAt) => outcome('succeeded', startedAt);
    await clock.advance(6 * HOUR);
    expect(runner.calls.map((call) => call.at)).toEqual([T0, T0 + 6 * HOUR]);
    expect(finished.map((report) => report.status)).toEqual(['failed', 'succeeded']);
  });

  it('reports a runner that throws synchronously as a failed run', async () => {
    const clock = new FakeClock(T0);
    const scheduler = new SyncScheduler({
      clock,
      runSync: () => {
        throw new TypeError('mapping is undefined');
      },
      getLastRunStart: () => null,
      everyHours: null,
    });
    schedulers.push(scheduler);
    const finished: RunReport[] = [];
    scheduler.on('run-finished', (report) => finished.push(report));
    expect(scheduler.syncNow().started).toBe(true);
    await settle();
    expect(finished).toMatchObject([{ status: 'failed', error: 'mapping is undefined', trigger: 'manual' }]);
    expect(scheduler.getState().running).toBe(false);
  });

  it('emits run-started and state-changed around a run; unsubscribing stops delivery', async () => {
    const { runner, scheduler } = setUp({ everyHours: null });
    runner.holdRuns = true;
    const started: unknown[] = [];
    const states: SchedulerState[] = [];
    scheduler.on('run-started', (event) => started.push(event));
    const unsubscribe = scheduler.on('state-changed', (state) => states.push(state));

    scheduler.syncNow();
    expect(started).toEqual([{ trigger: 'manual', startedAt: T0 }]);
    expect(states.at(-1)).toMatchObject({ running: true, runningSince: T0 });
    await runner.finishHeldRun();
    expect(states.at(-1)).toMatchObject({ running: false, lastRunStart: T0 });

    unsubscribe();
    const seen = states.length;
    scheduler.pause();
    expect(states).toHaveLength(seen);
  });

  it('keeps working when a listener throws', async () => {
    const { clock, runner, scheduler, finished } = setUp({ everyHours: 6 });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    scheduler.on('run-finished', () => {
      throw new Error('tray is gone');
    });
    scheduler.start();
    await clock.advance(6 * HOUR);
    expect(runner.calls).toHaveLength(2);
    expect(finished).toHaveLength(2);
    expect(logged).toHaveBeenCalledTimes(2);
  });
});

describe('SyncScheduler stop', () => {
  it('resolves stop() only after the running sync has finished, then runs nothing more', async () => {
    const { clock, runner, scheduler, finished } = setUp({ everyHours: 6 });
    runner.holdRuns = true;
    scheduler.start();

    let stopped = false;
    const stopping = scheduler.stop().then(() => {
      stopped = true;
    });
    await clock.advance(1 * HOUR);
    expect(stopped).toBe(false);
    expect(clock.activeIntervals).toBe(0);

    await runner.finishHeldRun();
    await stopping;
    expect(stopped).toBe(true);
    expect(finished).toHaveLength(1);

    await clock.advance(2 * DAY);
    scheduler.checkNow();
    expect(scheduler.syncNow()).toEqual({ started: false, reason: 'The scheduler has stopped' });
    expect(runner.calls).toHaveLength(1);
  });

  it('resolves stop() at once when idle', async () => {
    const { scheduler } = setUp({ everyHours: 6, lastRunStart: T0 });
    scheduler.start();
    await expect(scheduler.stop()).resolves.toBeUndefined();
  });
});

describe('SyncScheduler hold (expired credentials)', () => {
  it('runs no scheduled sync while held, still runs a manual one, and catches up once released', async () => {
    const { clock, runner, scheduler } = setUp({ everyHours: 6 });
    scheduler.start();
    await settle();
    expect(runner.calls.map((c) => c.trigger)).toEqual(['startup']);

    scheduler.holdScheduledRuns('These temporary keys expired at 14:05 UTC.');
    expect(scheduler.getState()).toMatchObject({
      heldReason: 'These temporary keys expired at 14:05 UTC.',
      nextRunAt: null,
    });
    await clock.advance(2 * DAY);
    expect(runner.calls).toHaveLength(1);

    // The user asked: a manual sync still goes.
    expect(scheduler.syncNow('manual').started).toBe(true);
    await settle();
    expect(runner.calls.map((c) => c.trigger)).toEqual(['startup', 'manual']);

    // Released more than six hours after the manual run: the scheduled run is due and starts at once.
    await clock.advance(7 * HOUR);
    expect(runner.calls).toHaveLength(2);
    scheduler.releaseScheduledRuns();
    await settle();
    expect(runner.calls.map((c) => c.trigger)).toEqual(['startup', 'manual', 'schedule']);
    expect(scheduler.getState().heldReason).toBeNull();
  });
});
