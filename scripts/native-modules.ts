// better-sqlite3 and keytar are native modules, built for one runtime at a time: Node (tests, the
// CLI, the web preview) or Electron (npm start), whose ABIs differ. This switches them when needed,
// remembering the current target in node_modules/.s3sync-native-target (absent: Node, as npm built them).
// Run: node --import tsx scripts/native-modules.ts electron|node
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NATIVE_MODULES = ['better-sqlite3', 'keytar'];
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const marker = join(root, 'node_modules', '.s3sync-native-target');
const target = process.argv[2];
if (target !== 'electron' && target !== 'node') {
  console.error('Usage: native-modules.ts electron|node');
  process.exit(2);
}
const current = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : 'node';
if (current !== target) {
  console.log(`Rebuilding ${NATIVE_MODULES.join(' and ')} for ${target === 'electron' ? 'Electron' : 'Node'}…`);
  const [command, args] =
    target === 'electron' ? ['npx', ['electron-builder', 'install-app-deps']] : ['npm', ['rebuild', ...NATIVE_MODULES]];
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(marker, `${target}\n`);
}
