// The Data screen's first look at the data: the NPS trend by month and the events per day, drawn
// from the workbench's starter queries (run read-only on a query worker, like any query).
import { useEffect, useState } from 'react';
import type { QueryResult, StarterQuery } from '../../../electron/shared/contract';
import { useApp } from '../app/app-context';
import { ResultChart } from '../components/ResultChart';
import { chartShape } from '../lib/chart-shape';

const INSIGHTS: { id: StarterQuery['id']; title: string }[] = [
  { id: 'nps-by-month', title: 'NPS by month' },
  { id: 'events-per-day', title: 'Events per day' },
];

type Answer = Extract<QueryResult, { ok: true }>;

export function DataInsights() {
  const { api, lastFinished } = useApp();
  const [answers, setAnswers] = useState<Partial<Record<StarterQuery['id'], Answer>>>({});

  useEffect(() => {
    let current = true;
    void (async () => {
      const { starters } = await api.getQueryTools();
      for (const { id } of INSIGHTS) {
        const starter = starters.find((s) => s.id === id);
        if (!starter) continue;
        const answer = await api.runQuery({ sql: starter.sql, queryId: `insight-${id}`, limit: 1000 });
        if (current && answer.ok) setAnswers((a) => ({ ...a, [id]: answer }));
      }
    })().catch(() => undefined);
    return () => {
      current = false;
    };
  }, [api, lastFinished]);

  const charts = INSIGHTS.flatMap(({ id, title }) => {
    const answer = answers[id];
    const shape = answer ? chartShape(answer.columns, answer.rows) : null;
    return answer && shape ? [{ id, title, answer, shape }] : [];
  });
  if (charts.length === 0) return null;
  return (
    <div className="data-insights">
      {charts.map(({ id, title, answer, shape }) => (
        <div key={id} className="card card-flush">
          <ResultChart columns={answer.columns} rows={answer.rows} shape={shape} title={title} />
        </div>
      ))}
    </div>
  );
}
