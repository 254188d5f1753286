// Reading the configuration file from disk, with messages that say where a broken file went wrong.
import { readFile } from 'node:fs/promises';
import { ConfigError, parseConfig, type SyncConfig } from '../../shared/config';

export async function loadConfigFile(path: string): Promise<SyncConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([
      code === 'ENOENT' ? `the file ${path} does not exist` : `the file ${path} cannot be read (${code})`,
    ]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`it is not valid JSON${whereJsonFailed(error, text)}`], path);
  }
  return parseConfig(value, path);
}

/**
 * Where JSON.parse gave up, as a line and column. Not its message: that quotes the text around the
 * mistake, which may be a secret access key pasted into the import box by mistake.
 */
export function whereJsonFailed(error: unknown, text: string): string {
  const position = positionIn((error as Error)?.message) ?? firstBadCharacter(text);
  if (position === undefined) return '';
  const before = text.slice(0, position).split('\n');
  return ` (line ${before.length}, column ${before.at(-1)!.length + 1})`;
}

function positionIn(message: string | undefined): number | undefined {
  const match = /at position (\d+)/.exec(message ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * V8 gives no position for its commonest complaint ("Unexpected token 'x', ... is not valid JSON").
 * Every prefix of the text before the mistake fails only for ending early, so the shortest prefix
 * that fails for another reason ends with the bad character: found by bisection.
 */
function firstBadCharacter(text: string): number | undefined {
  const failsBeforeItsEnd = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (error) {
      const message = (error as Error).message;
      return !message.includes('end of JSON input') && positionIn(message) !== length;
    }
  };
  if (!failsBeforeItsEnd(text.length)) return undefined;
  let low = 0; // fails only for ending early (or parses)
  let high = text.length; // fails before its end
  while (high - low > 1) {
    const middle = (low + high) >>> 1;
    if (failsBeforeItsEnd(middle)) high = middle;
    else low = middle;
  }
  return high - 1;
}
