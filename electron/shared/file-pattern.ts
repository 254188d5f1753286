// File patterns are matched by RE2 semantics (the re2js engine), in time linear in the key's length:
// a JavaScript RegExp can backtrack for minutes on `^(a+)+$`, freezing the app while a user types.
// Preview, sync, CLI, the configuration schema and the Objects screen all use this file, so they
// select the same keys and refuse the same patterns with the same words. It lives in shared/ (and
// imports re2js, pure JS) so the renderer checks a pattern as it is typed without asking the back end.
import { RE2JS } from 're2js';

export interface FilePattern {
  readonly source: string;
  /** True when the pattern matches anywhere in the key (as RegExp.test does). */
  test(key: string): boolean;
}

/** A file pattern the engine refuses; the message says what is wrong and what to write instead. */
export class FilePatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilePatternError';
  }
}

const LINEAR =
  'file patterns are matched in linear time (RE2 rules), so that no pattern can freeze the app, and that engine has no ';

/** Why the engine refuses a pattern (a sentence fragment after "the pattern …"), or null when it is fine. */
export function filePatternProblem(source: string): string | null {
  try {
    RE2JS.compile(source);
    return null;
  } catch (error) {
    return describeRefusal(source, (error as Error).message);
  }
}

/** The sentence the preview, the CLI and the Objects screen show for a refused pattern, or null. */
export function filePatternMessage(source: string): string | null {
  const problem = filePatternProblem(source);
  return problem === null ? null : `The file pattern ${problem}.`;
}

/** @throws FilePatternError with a message that starts "The file pattern …". */
export function compileFilePattern(source: string): FilePattern {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source);
  } catch (error) {
    throw new FilePatternError(`The file pattern ${describeRefusal(source, (error as Error).message)}.`);
  }
  return { source, test: (key) => compiled.test(key) };
}

function describeRefusal(source: string, engineMessage: string): string {
  if (/\(\?<?[=!]/.test(source)) {
    const behind = /\(\?<[=!]/.test(source);
    return (
      `uses a ${behind ? 'lookbehind ((?<=…) or (?<!…))' : 'lookahead ((?=…) or (?!…))'}: ${LINEAR}lookaround. ` +
      'Write the text to match itself, and leave files out by narrowing what the pattern matches ' +
      '(for example ^accounts/[^_][^/]*\\.csv$ skips names that start with "_")'
    );
  }
  const backreference = /\\([1-9]|k<)/.exec(source);
  if (backreference) {
    return (
      `uses a backreference (\\${backreference[1] === 'k<' ? 'k<name>' : backreference[1]}): ${LINEAR}backreferences. ` +
      'Write the repeated part out again (for example (csv|tsv)/.*\\.(csv|tsv)$ instead of (csv|tsv)/.*\\.\\1$)'
    );
  }
  // JavaScript's way to write a character by its code; RE2 has its own.
  const codeEscape = /\\u(\{[0-9A-Fa-f]+\}|[0-9A-Fa-f]{4})/.exec(source);
  if (codeEscape && engineMessage.includes('invalid escape sequence: `\\u')) {
    const hex = codeEscape[1]!.replace(/[{}]/g, '');
    return `writes a character by its code as JavaScript does (\\u${codeEscape[1]}), which RE2 does not read. Write \\x{${hex}} instead`;
  }
  return `is not a valid regular expression: ${engineMessage.replace(/^error parsing regexp: /, '')}`;
}
