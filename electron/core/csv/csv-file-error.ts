/** A file that cannot be read as CSV at all (as opposed to single bad rows). */
export class CsvFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvFileError';
  }
}
