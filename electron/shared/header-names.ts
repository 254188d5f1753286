// Header names are compared ignoring case and whitespace ("Account Name" = "account name" =
// "AccountName"): monthly exports drift like that, and the window and the sync must agree on it.

/** The form two header names are compared in: Unicode-normalized, case folded, without whitespace. */
export function foldHeaderName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}

/** Whether `header` has the column `name`, compared as foldHeaderName does. */
export function headerHas(header: readonly string[], name: string): boolean {
  const folded = foldHeaderName(name);
  return header.some((column) => foldHeaderName(column) === folded);
}
