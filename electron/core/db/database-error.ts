// Kept apart from store.ts so a thread that only rebuilds the error (the sync worker's client) does
// not load better-sqlite3.
export class DatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseError';
  }
}
