// Compares the engines that could match file patterns, side by side in one run: JavaScript's RegExp
// (backtracking), re2js (pure JS, what the app uses) and, when installed, re2 (native) and re2-wasm.
// Usage: node --import tsx scripts/bench-file-patterns.ts [node_modules dir holding re2 / re2-wasm]
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { RE2JS } from 're2js';

type Compile = (source: string) => (key: string) => boolean;
/** The one thing used of re2's and re2-wasm's RE2 class. */
type RE2Class = new (source: string, flags: string) => { test(key: string): boolean };
const extra = process.argv[2] ? createRequire(join(resolve(process.argv[2]), 'noop.js')) : null;

function optional<M>(name: string, make: (module: M) => Compile): Compile | null {
  try {
    return make(extra ? extra(name) : createRequire(import.meta.url)(name));
  } catch {
    return null;
  }
}

const engines: Record<string, Compile | null> = {
  RegExp: (source) => {
    const pattern = new RegExp(source);
    return (key) => pattern.test(key);
  },
  re2js: (source) => {
    const pattern = RE2JS.compile(source);
    return (key) => pattern.test(key);
  },
  're2 (native)': optional<RE2Class>('re2', (RE2) => (source) => {
    const pattern = new RE2(source, 'u');
    return (key) => pattern.test(key);
  }),
  're2-wasm': optional<{ RE2: RE2Class }>('re2-wasm', ({ RE2 }) => (source) => {
    const pattern = new RE2(source, 'u');
    return (key) => pattern.test(key);
  }),
};

const keys = Array.from(
  { length: 10_000 },
  (_, i) => `accounts/2024/${String(i).padStart(5, '0')}-export_${i % 13}.csv`,
);
const ROUNDS = 5;

function msPerKey(match: (key: string) => boolean, input: string[], rounds: number): number {
  const started = performance.now();
  for (let round = 0; round < rounds; round++) for (const key of input) match(key);
  return (performance.now() - started) / (rounds * input.length);
}

const results: Record<string, Record<string, number>> = {};
for (const [name, compile] of Object.entries(engines)) {
  if (!compile) {
    console.log(`${name}: not installed, skipped`);
    continue;
  }
  results[name] = {
    'simple ^accounts/.*\\.csv$': msPerKey(compile('^accounts/.*\\.csv$'), keys, ROUNDS),
    'people type ^(\\w+\\s?)+\\.csv$': msPerKey(compile('^(\\w+\\s?)+\\.csv$'), keys, ROUNDS),
    // 24 a's keep RegExp's exponential time to about a second; the engines with RE2 rules are linear.
    'nested ^(a+)+$ on 24 a\'s and "!"': msPerKey(compile('^(a+)+$'), [`${'a'.repeat(24)}!`], 1),
  };
}
const base = results.re2js!;
for (const [name, row] of Object.entries(results)) {
  const cells = Object.entries(row).map(
    ([what, ms]) => `${what}: ${(ms * 1000).toFixed(2)} µs/key (${(ms / base[what]!).toFixed(2)}x re2js)`,
  );
  console.log(`${name}\n  ${cells.join('\n  ')}`);
}
