// Counting line breaks: rows, warnings and reject lines all count lines the same way.

export type LineBreak = '\n' | '\r' | '\r\n';

export function countChar(text: string, char: string, from: number, to: number): number {
  let count = 0;
  let at = text.indexOf(char, from);
  while (at !== -1 && at < to) {
    count++;
    at = text.indexOf(char, at + 1);
  }
  return count;
}

/** Line breaks in text: the file's line break once known, else LF (or CR in a file without LF). */
export function countLineBreaks(text: string, newline: LineBreak | undefined): number {
  const char = newline ? newline[newline.length - 1]! : text.includes('\n') || !text.includes('\r') ? '\n' : '\r';
  return countChar(text, char, 0, text.length);
}

export function lineBreakAt(text: string, at: number): LineBreak {
  if (text[at] === '\r') return text[at + 1] === '\n' ? '\r\n' : '\r';
  return '\n';
}
