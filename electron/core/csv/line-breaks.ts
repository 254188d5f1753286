// Counting lines the way the record parser does (records.ts): LF, CRLF and a lone CR end one line each.

/** Occurrences of one character in text[from, to). */
export function countChar(text: string, char: string, from: number, to: number): number {
  let count = 0;
  let at = text.indexOf(char, from);
  while (at !== -1 && at < to) {
    count++;
    at = text.indexOf(char, at + 1);
  }
  return count;
}

/** Line breaks in text[from, to): LF, CRLF and a lone CR count one each. */
export function countLineBreaks(text: string, from = 0, to = text.length): number {
  let count = countChar(text, '\n', from, to);
  for (let at = text.indexOf('\r', from); at !== -1 && at < to; at = text.indexOf('\r', at + 1))
    if (at + 1 === text.length || text.charCodeAt(at + 1) !== 10) count++;
  return count;
}
