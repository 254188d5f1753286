// The sync scheduler: when a sync runs, and never two at once. A short tick compares the injected
// clock with the due time (one long timer drifts or is lost across sleep), so a run that came due while
// asleep or closed happens once. Its rules for when a run is due: docs/configuration.md.
// holdScheduledRuns(reason): no scheduled or startup runs (expired credentials: each would fail the
// same way) until releaseScheduledRuns(); manual and settings runs still go.
import type {
  RunCounts,
  RunOutcome,
  RunReport,
  ScheduleHours,
  SchedulerState,
  SyncRequestResult,
  SyncTrigger,
} from '../../shared/domain';

export interface RunStartedEvent {
  trigger: SyncTrigger;
  startedAt: number;
}

export interface SchedulerClock {
  now(): number;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemClock: SchedulerClock = {
  now: () => Date.now(),
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

export interface SyncSchedulerOptions {
  clock?: SchedulerClock;
  runSync: (trigger: SyncTrigger) => Promise<RunOutcome>;
  /** The start of the latest run in the run log (epoch ms), so app restarts are covered. */
  getLastRunStart: () => number | null;
  everyHours: ScheduleHours | null;
  paused?: boolean;
  /** How often the wall clock is compared with the due time. */
  tickMs?: number;
}

const HOUR_MS = 60 * 60 * 1000;
const DEFAULT_TICK_MS = 30 * 1000;
const NO_COUNTS: RunCounts = { files: 0, rows: 0, created: 0, updated: 0, skipped: 0, rejected: 0 };

type SchedulerEvents = {
  'run-started': RunStartedEvent;
  'run-finished': RunReport;
  'state-changed': SchedulerState;
};

type Listener<Payload> = (payload: Payload) => void;

class TypedEmitter<Events extends Record<string, unknown>> {
  private readonly listeners: { [E in keyof Events]?: Set<Listener<Events[E]>> } = {};

  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    const forEvent = (this.listeners[event] ??= new Set());
    forEvent.add(listener);
    return () => {
      forEvent.delete(listener);
    };
  }

  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    for (const listener of [...(this.listeners[event] ?? [])]) {
      // A faulty listener (tray, notification) must not stop the scheduler or the other listeners.
      try {
        listener(payload);
      } catch (error) {
        console.error(`A "${String(event)}" listener of the sync scheduler failed:`, error);
      }
    }
  }
}

export class SyncScheduler {
  private readonly clock: SchedulerClock;
  private readonly runSync: (trigger: SyncTrigger) => Promise<RunOutcome>;
  private readonly getLastRunStart: () => number | null;
  private readonly tickMs: number;
  private readonly events = new TypedEmitter<SchedulerEvents>();

  private everyHours: ScheduleHours | null;
  private paused: boolean;
  private lifecycle: 'created' | 'started' | 'stopped' = 'created';
  private tickHandle: unknown = null;
  private running: RunStartedEvent | null = null;
  private runFinished: Promise<void> = Promise.resolve();
  private lastStartedHere: number | null = null;
  private settingsRunPending = false;
  private heldReason: string | null = null;

  constructor(options: SyncSchedulerOptions) {
    this.clock = options.clock ?? systemClock;
    this.runSync = options.runSync;
    this.getLastRunStart = options.getLastRunStart;
    this.everyHours = options.everyHours;
    this.paused = options.paused ?? false;
    this.tickMs = options.tickMs ?? DEFAULT_TICK_MS;
  }

  on<E extends keyof SchedulerEvents>(event: E, listener: Listener<SchedulerEvents[E]>): () => void {
    return this.events.on(event, listener);
  }

  start(): void {
    if (this.lifecycle !== 'created') return;
    this.lifecycle = 'started';
    this.tickHandle = this.clock.setInterval(() => this.checkNow(), this.tickMs);
    this.emitState();
    this.runIfDue('startup');
  }

  /** Stops scheduling; resolves once the running sync (if any) has finished. */
  stop(): Promise<void> {
    if (this.lifecycle === 'started') this.clock.clearInterval(this.tickHandle);
    if (this.lifecycle !== 'stopped') {
      this.lifecycle = 'stopped';
      this.settingsRunPending = false;
      this.emitState();
    }
    return this.runFinished;
  }

  /** Runs a due sync now. The shell calls this on wake (powerMonitor 'resume') rather than waiting for the tick. */
  checkNow(): void {
    this.runIfDue('schedule');
  }

  /** Starts a sync unless one is running; allowed while paused. */
  syncNow(trigger: SyncTrigger = 'manual'): SyncRequestResult {
    if (this.lifecycle === 'stopped') return { started: false, reason: 'The scheduler has stopped' };
    if (this.running) return this.refuseWhileRunning(this.running, '');
    return { started: true, startedAt: this.beginRun(trigger) };
  }

  setSchedule(everyHours: ScheduleHours | null): SyncRequestResult {
    if (everyHours === this.everyHours) return { started: false, reason: 'The schedule is unchanged' };
    this.everyHours = everyHours;
    this.emitState();
    if (everyHours === null) return { started: false, reason: 'Scheduled syncs are off' };
    return this.settingsChanged();
  }

  /** A mapping (or the schedule) changed: sync now, or as soon as the running sync ends or pause is lifted. */
  settingsChanged(): SyncRequestResult {
    if (this.lifecycle === 'stopped') return { started: false, reason: 'The scheduler has stopped' };
    if (this.paused) {
      this.settingsRunPending = true;
      return { started: false, reason: 'Syncing is paused; a sync will run when it is resumed' };
    }
    if (this.running) {
      this.settingsRunPending = true;
      return this.refuseWhileRunning(this.running, '; another will run with the new settings when it finishes');
    }
    return { started: true, startedAt: this.beginRun('settings-changed') };
  }

  /** Stops scheduled runs that can only fail the same way, until releaseScheduledRuns(). */
  holdScheduledRuns(reason: string): void {
    if (this.heldReason === reason) return;
    this.heldReason = reason;
    this.emitState();
  }

  releaseScheduledRuns(): void {
    if (this.heldReason === null) return;
    this.heldReason = null;
    this.emitState();
    this.runIfDue('schedule');
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.emitState();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.emitState();
    this.runIfDue('schedule');
  }

  getState(): SchedulerState {
    const lastRunStart = this.lastRunStart();
    return {
      everyHours: this.everyHours,
      paused: this.paused,
      running: this.running !== null,
      runningSince: this.running?.startedAt ?? null,
      lastRunStart,
      nextRunAt: this.paused || this.heldReason !== null ? null : this.nextRunAt(lastRunStart),
      heldReason: this.heldReason,
    };
  }

  private runIfDue(trigger: SyncTrigger): void {
    if (this.lifecycle !== 'started' || this.paused || this.running) return;
    if (this.settingsRunPending) {
      this.settingsRunPending = false;
      this.beginRun('settings-changed');
      return;
    }
    if (this.heldReason !== null) return;
    const dueAt = this.nextRunAt(this.lastRunStart());
    if (dueAt !== null && this.clock.now() >= dueAt) this.beginRun(trigger);
  }

  private nextRunAt(lastRunStart: number | null): number | null {
    if (this.everyHours === null) return null;
    if (lastRunStart === null) return this.clock.now();
    return lastRunStart + this.everyHours * HOUR_MS;
  }

  private lastRunStart(): number | null {
    let fromRunLog: number | null;
    // Called from the tick: a database hiccup must not crash the process; what we started ourselves still counts.
    try {
      fromRunLog = this.getLastRunStart();
    } catch {
      fromRunLog = null;
    }
    if (fromRunLog === null) return this.lastStartedHere;
    if (this.lastStartedHere === null) return fromRunLog;
    return Math.max(fromRunLog, this.lastStartedHere);
  }

  private beginRun(trigger: SyncTrigger): number {
    const startedAt = this.clock.now();
    const run: RunStartedEvent = { trigger, startedAt };
    this.running = run;
    this.lastStartedHere = startedAt;
    this.events.emit('run-started', run);
    this.emitState();
    this.runFinished = this.execute(run);
    return startedAt;
  }

  /** Never rejects: a runner that throws becomes a failed run. */
  private async execute({ trigger, startedAt }: RunStartedEvent): Promise<void> {
    let report: RunReport;
    try {
      report = { ...(await this.runSync(trigger)), trigger };
    } catch (error) {
      report = {
        runId: null,
        trigger,
        status: 'failed',
        startedAt: new Date(startedAt).toISOString(),
        finishedAt: new Date(this.clock.now()).toISOString(),
        error: error instanceof Error ? error.message : String(error),
        counts: { ...NO_COUNTS },
      };
    }
    this.running = null;
    this.events.emit('run-finished', report);
    this.emitState();
    // A queued settings run, or a scheduled run that came due during a long run, starts now rather than at the next
    // tick.
    this.runIfDue('schedule');
  }

  private refuseWhileRunning(running: RunStartedEvent, addendum: string): SyncRequestResult {
    return {
      started: false,
      // Local time, as everywhere else the user reads times (the window, the CLI on their machine).
      reason: `A sync is already running (started at ${formatLocalTime(running.startedAt, this.clock.now())})${addendum}`,
      runningSince: running.startedAt,
    };
  }

  private emitState(): void {
    this.events.emit('state-changed', this.getState());
  }
}

/** "10:13:36" today, else "Dec 1, 10:13:36", in the machine's time zone. */
function formatLocalTime(at: number, now: number): string {
  const date = new Date(at);
  const time = date.toLocaleTimeString('en-US', { hour12: false });
  return date.toDateString() === new Date(now).toDateString()
    ? time
    : `${date.toLocaleDateString('en-US', { month: 'short', day: 'numeric' })}, ${time}`;
}
