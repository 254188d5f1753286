// A worker thread that allocates as an import does: a steady set of survivors (the rows in flight)
// among many short-lived objects. It answers with the largest young generation (V8's new space) it saw.
import { parentPort } from 'node:worker_threads';
import { getHeapSpaceStatistics } from 'node:v8';

const ALLOCATIONS = 2_000_000;
const SURVIVORS = 100_000;

const newSpaceBytes = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.physical_space_size;
const inFlight = new Array<{ i: number; text: string }>(SURVIVORS);
let largest = 0;
for (let i = 0; i < ALLOCATIONS; i++) {
  inFlight[i % SURVIVORS] = { i, text: `row ${i}` };
  if (i % 16_384 === 0) largest = Math.max(largest, newSpaceBytes());
}
parentPort!.postMessage({ largestNewSpaceMb: largest / 2 ** 20 });
