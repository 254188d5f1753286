// What the Objects screen knows about file patterns: whether the matching engine takes one, an
// example per object type, and the wildcard (glob) patterns people type out of habit.
import type { ObjectType } from '../../../electron/shared/contract';

// The engine's own check (shared/file-pattern.ts, RE2 rules), not JavaScript's RegExp: the screen
// refuses exactly what the preview, the sync and the CLI refuse, in the same words.
export { filePatternMessage } from '../../../electron/shared/file-pattern';

export const PATTERN_EXAMPLES: Record<ObjectType, string> = {
  organizations: '^organizations/.*\\.csv$',
  accounts: '^accounts/.*\\.csv$',
  users: '^users/.*\\.csv$',
  nps: '^nps/.*\\.csv$',
  tracks: '^events/.*\\.csv(\\.gz)?$',
};

/**
 * A `*` with nothing a regular expression would repeat before it (start, `/`, a letter) reads as a
 * wildcard: `accounts/*.csv` as a regular expression means "accounts" then any number of slashes.
 */
export function looksLikeGlob(pattern: string): boolean {
  return /(^|[^.)\]}\\])\*/.test(pattern);
}

/**
 * The regular expression for what a wildcard pattern means: `*` within a folder, `**` across folders, `?` one
 * character.
 */
export function globToRegex(glob: string): string {
  let out = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return `${out}$`;
}
