// One-time downloads for the web preview's exports: the export is written (on a query worker) into a
// private temp folder, then served once at /download/<random id>, streamed from the file, and
// deleted. The id is a capability for one file, not the API token, so the token stays out of URLs.
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ExportDestination } from '../core/service/workbench-api';

export const DOWNLOAD_PATH = '/download/';
/** A download not fetched by then is deleted. */
const DOWNLOAD_TTL_MS = 10 * 60_000;

const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

interface Download {
  path: string;
  fileName: string;
  contentType: string;
  expiry: NodeJS.Timeout;
}

export class Downloads {
  private readonly dir = mkdtempSync(join(tmpdir(), 's3sync-downloads-'));
  private readonly pending = new Map<string, Download>();

  /** The AppApi's export destination: a temp file, offered once at the returned downloadUrl. */
  readonly destination: ExportDestination = async (fileName, format) => {
    const id = randomBytes(18).toString('base64url');
    const path = join(this.dir, `${id}.${format}`);
    const expiry = setTimeout(() => this.forget(id), DOWNLOAD_TTL_MS);
    expiry.unref();
    this.pending.set(id, { path, fileName, contentType: CONTENT_TYPES[format], expiry });
    return { path, downloadUrl: `${DOWNLOAD_PATH}${id}`, discard: () => this.forget(id) };
  };

  /** Streams the file once; false when there is no such download (used, expired, or never made). */
  async serve(id: string, response: ServerResponse): Promise<boolean> {
    const download = this.pending.get(id);
    if (!download) return false;
    this.pending.delete(id);
    clearTimeout(download.expiry);
    response.writeHead(200, {
      'Content-Type': download.contentType,
      'Content-Disposition': `attachment; filename="${download.fileName.replace(/[^\w.-]/g, '_')}"`,
      'Cache-Control': 'no-store',
    });
    try {
      await pipeline(createReadStream(download.path), response);
    } finally {
      await unlink(download.path).catch(() => undefined);
    }
    return true;
  }

  close(): void {
    for (const download of this.pending.values()) clearTimeout(download.expiry);
    this.pending.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private forget(id: string): void {
    const download = this.pending.get(id);
    if (!download) return;
    clearTimeout(download.expiry);
    this.pending.delete(id);
    void unlink(download.path).catch(() => undefined);
  }
}
