// The Query screen's and the exports' side of the API: read-only queries, saved queries and file
// exports, all run on query worker threads (core/worker/query-worker-client.ts) so this thread only
// passes messages. Part of the one API object (app-api.ts).
import { unlink } from 'node:fs/promises';
import type { ApiArgs, ApiResult, ExportResult, QueryResult, SaveResult } from '../../shared/contract';
import type { SyncConfig } from '../../shared/config';
import { exportStatementFor, STARTER_QUERIES } from '../db/workbench-statements';
import { exportFileName } from '../export/export-file';
import { QueryJobError, QueryWorkers } from '../worker/query-worker-client';

/** A query that runs longer is stopped (the renderer may ask for less, or up to ten minutes). */
export const DEFAULT_QUERY_TIME_LIMIT_MS = 60_000;

/**
 * Where an export goes. The desktop shell asks with a save dialog (null: the user cancelled); the
 * web preview answers a temporary file it then serves once at downloadUrl.
 */
export type ExportDestination = (
  fileName: string,
  format: 'csv' | 'xlsx',
) => Promise<{ path: string; downloadUrl?: string; discard?: () => void } | null>;

export interface WorkbenchOptions {
  dbPath: string;
  getConfig: () => SyncConfig | null;
  saveConfig: (next: unknown) => SaveResult;
  chooseExportDestination?: ExportDestination;
}

type Handler<M extends keyof WorkbenchHandlers> = WorkbenchHandlers[M];
/** Plain functions over the workbench's state (no `this`): the API object takes them as they are. */
export interface WorkbenchHandlers {
  getQueryTools: (args: ApiArgs<'getQueryTools'>) => Promise<ApiResult<'getQueryTools'>>;
  runQuery: (args: ApiArgs<'runQuery'>) => Promise<ApiResult<'runQuery'>>;
  queryPage: (args: ApiArgs<'queryPage'>) => Promise<ApiResult<'queryPage'>>;
  cancelQuery: (args: ApiArgs<'cancelQuery'>) => Promise<ApiResult<'cancelQuery'>>;
  saveQuery: (args: ApiArgs<'saveQuery'>) => Promise<ApiResult<'saveQuery'>>;
  deleteQuery: (args: ApiArgs<'deleteQuery'>) => Promise<ApiResult<'deleteQuery'>>;
  exportData: (args: ApiArgs<'exportData'>) => Promise<ApiResult<'exportData'>>;
  queryRecords: (args: ApiArgs<'queryRecords'>) => Promise<ApiResult<'queryRecords'>>;
}

export interface Workbench extends WorkbenchHandlers {
  close(): Promise<void>;
}

export function createWorkbench({
  dbPath,
  getConfig,
  saveConfig,
  chooseExportDestination,
}: WorkbenchOptions): Workbench {
  const workers = new QueryWorkers();
  /** Jobs in flight by the renderer's queryId, so cancelQuery can stop them. */
  const inFlight = new Map<string, AbortController>();

  async function tracked<T>(queryId: string | undefined, use: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    if (queryId) {
      inFlight.get(queryId)?.abort();
      inFlight.set(queryId, controller);
    }
    try {
      return await use(controller.signal);
    } finally {
      if (queryId && inFlight.get(queryId) === controller) inFlight.delete(queryId);
    }
  }

  async function page(
    sql: string,
    queryId: string,
    offset: number,
    limit: number,
    total: number | null,
    timeLimitMs: number,
  ): Promise<QueryResult> {
    const started = performance.now();
    try {
      const result = await tracked(queryId, (signal) =>
        workers.run({ type: 'page', dbPath, sql, offset, limit, count: total === null }, { signal, timeLimitMs }),
      );
      return {
        ok: true,
        columns: result.columns,
        rows: result.rows,
        offset,
        total: result.total ?? total ?? result.rows.length,
        elapsedMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      if (!(error instanceof QueryJobError)) throw error;
      return {
        ok: false,
        message: error.message,
        ...(error.position ? { position: error.position } : {}),
        ...(error.reason === 'cancelled' ? { cancelled: true } : {}),
        ...(error.reason === 'timedOut' ? { timedOut: true } : {}),
      };
    }
  }

  function savedQueries(): NonNullable<SyncConfig['savedQueries']> {
    return getConfig()?.savedQueries ?? [];
  }

  function saveQueries(next: NonNullable<SyncConfig['savedQueries']>): SaveResult {
    const config = getConfig();
    if (!config)
      return {
        ok: false,
        message: 'Saved queries live with the configuration: save a connection first.',
        problems: [],
      };
    return saveConfig({ ...config, savedQueries: next });
  }

  const handlers: { [M in keyof WorkbenchHandlers]: Handler<M> } = {
    // The Data screen's sorted or filtered pages: a sort or filter on a trait reads every row
    // (seconds on a million), so they run on a worker, never on the thread that serves the window.
    async queryRecords(request) {
      return workers.run({ type: 'records', dbPath, request }, { timeLimitMs: DEFAULT_QUERY_TIME_LIMIT_MS });
    },

    async getQueryTools() {
      const { schema } = await workers.run({ type: 'schema', dbPath }, { timeLimitMs: DEFAULT_QUERY_TIME_LIMIT_MS });
      return { starters: [...STARTER_QUERIES], saved: savedQueries(), schema };
    },

    async runQuery({ sql, queryId, limit, timeLimitMs }) {
      return page(sql, queryId, 0, limit, null, timeLimitMs ?? DEFAULT_QUERY_TIME_LIMIT_MS);
    },

    async queryPage({ sql, queryId, offset, limit, total }) {
      return page(sql, queryId, offset, limit, total, DEFAULT_QUERY_TIME_LIMIT_MS);
    },

    async cancelQuery({ queryId }) {
      const controller = inFlight.get(queryId);
      controller?.abort();
      return { cancelled: controller !== undefined };
    },

    async saveQuery({ name, sql }) {
      const trimmed = name.trim();
      const others = savedQueries().filter((q) => q.name !== trimmed);
      return saveQueries([...others, { name: trimmed, sql }].sort((a, b) => a.name.localeCompare(b.name)));
    },

    async deleteQuery({ name }) {
      return saveQueries(savedQueries().filter((q) => q.name !== name));
    },

    async exportData({ source, format, bom, expandTraits, queryId }): Promise<ExportResult> {
      if (!chooseExportDestination)
        return { ok: false, message: 'Exports are saved by the desktop app or downloaded from the web preview.' };
      const statement = exportStatementFor(source);
      const fileName = exportFileName(statement.baseName, format);
      const destination = await chooseExportDestination(fileName, format);
      if (!destination) return { ok: false, message: 'The export was cancelled.', cancelled: true };
      try {
        const { rows } = await tracked(queryId, (signal) =>
          workers.run(
            { type: 'export', dbPath, statement, options: { format, bom, expandTraits }, path: destination.path },
            { signal },
          ),
        );
        return {
          ok: true,
          rows,
          fileName,
          path: destination.downloadUrl ? null : destination.path,
          downloadUrl: destination.downloadUrl ?? null,
        };
      } catch (error) {
        destination.discard?.();
        // A half-written file is no export: leave nothing behind the user could open by mistake.
        await unlink(destination.path).catch(() => undefined);
        if (error instanceof QueryJobError)
          return {
            ok: false,
            message: error.reason === 'cancelled' ? 'The export was cancelled.' : error.message,
            ...(error.reason === 'cancelled' ? { cancelled: true } : {}),
          };
        throw error;
      }
    },
  };

  return {
    ...handlers,
    async close() {
      inFlight.forEach((controller) => controller.abort());
      await workers.close();
    },
  };
}
