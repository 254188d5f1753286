// How a file's header meets the mapping when monthly exports drift: mapped columns are found whatever
// their case and spacing ("Account Name" = "account name" = "AccountName"), and a column may have
// aliases for its other names ("MRR (USD)" read as "MRR"), traits included.
import type { ObjectMapping } from '../../shared/config';
import { foldHeaderName } from '../../shared/header-names';

/**
 * The header with each column renamed to the name the mapping knows it by: an alias to its column,
 * a mapped column written differently to the mapped spelling. Other columns keep their names.
 */
export function canonicalHeader(header: readonly string[], mapping: ObjectMapping, mappedNames: readonly string[]) {
  const byFold = new Map<string, string>();
  for (const name of mappedNames) byFold.set(foldHeaderName(name), name);
  for (const [canonical, aliases] of Object.entries(mapping.columnAliases ?? {})) {
    byFold.set(foldHeaderName(canonical), canonical);
    for (const alias of aliases) byFold.set(foldHeaderName(alias), canonical);
  }
  // A column present under its exact name wins; otherwise the first close match takes the name.
  const taken = new Set(header);
  return header.map((name) => {
    const canonical = name === '' ? undefined : byFold.get(foldHeaderName(name));
    if (canonical === undefined || canonical === name || taken.has(canonical)) return name;
    taken.add(canonical);
    return canonical;
  });
}
