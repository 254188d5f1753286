// Schedule: off, or every 6, 12 or 24 hours after the last run's start; the next sync time; pause.
import { useEffect, useState, type FormEvent } from 'react';
import type { ScheduleHours } from '../../../electron/shared/contract';
import { useApp } from '../app/app-context';
import { Banner } from '../components/Banner';
import { EmptyState } from '../components/EmptyState';
import { formatDateTime, formatRelative } from '../lib/format';
import { useNow } from '../lib/use-now';
import { AlertSettings } from './AlertSettings';

const CHOICES: { value: ScheduleHours | null; label: string; hint: string }[] = [
  { value: null, label: 'Off', hint: 'Syncs run only when you press Sync now.' },
  { value: 6, label: 'Every 6 hours', hint: 'Four times a day.' },
  { value: 12, label: 'Every 12 hours', hint: 'Twice a day.' },
  { value: 24, label: 'Every 24 hours', hint: 'Once a day.' },
];

export function ScheduleScreen() {
  const { api, overview, scheduler, refreshOverview, notify, navigate } = useApp();
  const saved = overview.config?.schedule.everyHours ?? null;
  const [choice, setChoice] = useState<ScheduleHours | null>(saved);
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const now = useNow(15_000);
  useEffect(() => setChoice(saved), [saved]);

  if (!overview.config) {
    return (
      <section aria-labelledby="schedule-title" className="screen">
        <div className="screen-head">
          <h1 id="schedule-title" tabIndex={-1}>
            Schedule
          </h1>
        </div>
        <EmptyState
          title="Nothing to schedule yet"
          action={
            <button type="button" className="btn btn-primary" onClick={() => navigate('connection')}>
              Go to Connection
            </button>
          }
        >
          Save a connection and map at least one object type; then choose how often to sync.
        </EmptyState>
      </section>
    );
  }

  async function onSave(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    setProblem(null);
    try {
      const result = await api.setSchedule({ everyHours: choice });
      if (!result.ok) {
        setProblem(result.message);
        return;
      }
      await refreshOverview();
      notify(
        'success',
        choice === null
          ? 'Schedule turned off: syncs run only when you press Sync now.'
          : `Schedule saved: every ${choice} hours.${result.scheduler.running ? ' A sync has started.' : ''}`,
      );
    } catch (error) {
      setProblem((error as Error).message);
    } finally {
      setSaving(false);
    }
  }

  async function togglePause() {
    try {
      await (scheduler.paused ? api.resumeSchedule() : api.pauseSchedule());
      await refreshOverview();
    } catch (error) {
      notify('error', (error as Error).message);
    }
  }

  const changed = choice !== saved;
  return (
    <section aria-labelledby="schedule-title" className="screen">
      <div className="screen-head">
        <h1 id="schedule-title" tabIndex={-1}>
          Schedule
        </h1>
        <p className="screen-lead">
          How often the bucket is read. The next sync is due that long after the last one started; one missed while the
          computer slept runs once when it wakes.
        </p>
      </div>

      <div className="card schedule-status" aria-live="polite">
        <dl className="facts">
          <div>
            <dt>Next sync</dt>
            <dd>
              {scheduler.running
                ? 'Running now'
                : saved === null
                  ? 'None scheduled'
                  : scheduler.paused
                    ? 'Paused'
                    : scheduler.nextRunAt !== null
                      ? `${formatDateTime(scheduler.nextRunAt)} (${formatRelative(scheduler.nextRunAt, now)})`
                      : '—'}
            </dd>
          </div>
          <div>
            <dt>Last sync started</dt>
            <dd>
              {scheduler.lastRunStart !== null
                ? `${formatDateTime(scheduler.lastRunStart)} (${formatRelative(scheduler.lastRunStart, now)})`
                : 'Never'}
            </dd>
          </div>
        </dl>
        {saved !== null && (
          <button type="button" className="btn btn-secondary" onClick={() => void togglePause()}>
            {scheduler.paused ? 'Resume schedule' : 'Pause schedule'}
          </button>
        )}
      </div>

      <form className="card" onSubmit={onSave}>
        <fieldset className="radio-group radio-cards">
          <legend>Sync automatically</legend>
          {CHOICES.map((c) => (
            <label key={String(c.value)} className="radio radio-card">
              <input
                type="radio"
                name="schedule"
                value={String(c.value)}
                checked={choice === c.value}
                onChange={() => setChoice(c.value)}
              />
              <span>
                <span className="radio-card-title">{c.label}</span>
                <span className="muted">{c.hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {problem && <Banner tone="error">{problem}</Banner>}
        <div className="form-actions">
          <span className="hint">{changed && choice !== null ? 'Saving starts a sync right away.' : ''}</span>
          <button type="submit" className="btn btn-primary" disabled={saving || !changed}>
            {saving ? 'Saving…' : 'Save schedule'}
          </button>
        </div>
      </form>

      <AlertSettings config={overview.config} />
    </section>
  );
}
