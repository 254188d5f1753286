/**
 * An error's `code` when it is a string ('' otherwise): not every code is, an AbortError (a DOMException) has the
 * number 20.
 */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : '';
}
