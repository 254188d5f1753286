// The benchmark's events CSV, shared by scripts/bench.ts and scripts/measure-import-cpu.ts so both
// measure the same file.
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';

/** The tracks mapping of the events CSV's columns (before validation: each script parses it with its config). */
export const EVENTS_TRACKS_MAPPING = {
  fileRegex: '^events/',
  target: 'user',
  targetIdColumn: 'user_id',
  messageIdColumn: 'event_id',
  timestampColumn: 'timestamp',
  eventColumn: 'event',
} as const;

/** Bump when the generated data changes, so cached files are not reused. */
const DATA_VERSION = 1;

/**
 * bench-data/events-vV-N.csv: event ID, user, account, ISO timestamp, event name and a few
 * properties (plan, with some "null" cells and empty ones; a duration; a boolean; a page, some of
 * them quoted with commas or doubled quotes). Deterministic, so runs compare.
 */
export async function ensureEventsCsv(
  dataDir: string,
  rows: number,
  log: (line: string) => void = () => {},
): Promise<string> {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, `events-v${DATA_VERSION}-${rows}.csv`);
  if (existsSync(path)) return path;
  log(`generating ${rows.toLocaleString('en-US')} rows into ${path} ...`);
  const partial = `${path}.${process.pid}.partial`;
  const out = createWriteStream(partial);
  let seed = 42;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const events = [
    'page_viewed',
    'login',
    'logout',
    'report_exported',
    'invite_sent',
    'search',
    'settings_changed',
    'file_uploaded',
  ];
  const plans = ['free', 'starter', 'gold', 'enterprise', 'null', ''];
  const pages = ['/home', '/docs/intro', '/settings', '/reports/42', '"/search?q=a,b"', '/billing', '"Say ""hi"""'];
  const start = Date.UTC(2024, 0, 1);
  let text = 'event_id,user_id,account_id,timestamp,event,plan,duration_ms,is_mobile,page\n';
  for (let i = 0; i < rows; i++) {
    const user = Math.floor(random() * 50_000);
    const at = new Date(start + i * 1500 + Math.floor(random() * 1000)).toISOString();
    text +=
      `ev${String(i).padStart(9, '0')},u${String(user).padStart(6, '0')},a${String(user % 5000).padStart(5, '0')},${at},` +
      `${pick(events)},${pick(plans)},${Math.floor(random() * 100_000)},${random() < 0.3 ? 'true' : 'false'},${pick(pages)}\n`;
    if (text.length > 1 << 20) {
      if (!out.write(text)) await new Promise((r) => out.once('drain', () => r(undefined)));
      text = '';
    }
  }
  out.end(text);
  await new Promise<void>((r, reject) => out.on('finish', () => r()).on('error', reject));
  renameSync(partial, path);
  return path;
}
