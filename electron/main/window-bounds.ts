// The main window's size and position, remembered in a small JSON file in the app's data folder.
// A file that is missing, damaged or implausible is ignored (the window opens centred at its default
// size); a saved position is used only while it is still on a connected display, so a window last seen
// on an unplugged monitor does not open off-screen.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** x and y are absent where the window system keeps positions to itself (Wayland). */
export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

/** Where the window goes: a position only when it is visible, a size always. */
export type WindowPlacement = { x?: number; y?: number; width: number; height: number; maximized: boolean };

export const DEFAULT_SIZE = { width: 1100, height: 760 } as const;
export const MIN_SIZE = { width: 720, height: 520 } as const;

const coordinate = z.number().int().min(-100_000).max(100_000);
const boundsSchema = z.strictObject({
  x: coordinate.optional(),
  y: coordinate.optional(),
  width: z.number().int().min(MIN_SIZE.width).max(20_000),
  height: z.number().int().min(MIN_SIZE.height).max(20_000),
  maximized: z.boolean(),
});

/** Reads and writes the bounds file; never throws (a window must open even if its file cannot be read or written). */
export class WindowBoundsFile {
  constructor(
    readonly path: string,
    private readonly log: (message: string) => void = (message) => console.warn(message),
  ) {}

  load(): WindowBounds | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return null;
    }
    try {
      const parsed = boundsSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // not JSON: same as invalid
    }
    this.log(`Ignoring the saved window position in ${this.path}: it is not valid.`);
    return null;
  }

  save(bounds: WindowBounds): void {
    const parsed = boundsSchema.safeParse({
      ...bounds,
      ...(bounds.x === undefined || bounds.y === undefined
        ? { x: undefined, y: undefined }
        : { x: Math.round(bounds.x), y: Math.round(bounds.y) }),
      width: Math.round(bounds.width),
      height: Math.round(bounds.height),
    });
    if (!parsed.success) return;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const temporary = `${this.path}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(parsed.data)}\n`);
      renameSync(temporary, this.path);
    } catch (error) {
      this.log(`Could not remember the window position in ${this.path}: ${(error as Error).message}`);
    }
  }
}

/** How much of the window's top edge (where the title bar is) must be on a display to grab it. */
const GRAB_WIDTH = 100;
const GRAB_HEIGHT = 30;

/**
 * Where to open the window: the saved bounds when their title bar is on one of the displays' work
 * areas, else the saved size (shrunk to fit the primary display) with no position, which centres it.
 * positions false (Wayland): never a position, the compositor places the window.
 */
export function placeWindow(
  saved: WindowBounds | null,
  workAreas: readonly Rectangle[],
  primaryWorkArea: Rectangle,
  { positions = true }: { positions?: boolean } = {},
): WindowPlacement {
  if (saved === null) return { ...fit(DEFAULT_SIZE, primaryWorkArea), maximized: false };
  if (!positions || saved.x === undefined || saved.y === undefined)
    return { ...fit(saved, primaryWorkArea), maximized: saved.maximized };
  const titleBar: Rectangle = { x: saved.x, y: saved.y, width: saved.width, height: GRAB_HEIGHT };
  const visible = workAreas.some((area) => {
    const overlap = intersection(titleBar, area);
    return overlap !== null && overlap.width >= Math.min(GRAB_WIDTH, saved.width) && overlap.height >= GRAB_HEIGHT;
  });
  if (visible) return { x: saved.x, y: saved.y, width: saved.width, height: saved.height, maximized: saved.maximized };
  return { ...fit(saved, primaryWorkArea), maximized: saved.maximized };
}

function fit(size: { width: number; height: number }, area: Rectangle): { width: number; height: number } {
  return {
    width: Math.max(MIN_SIZE.width, Math.min(size.width, area.width)),
    height: Math.max(MIN_SIZE.height, Math.min(size.height, area.height)),
  };
}

function intersection(a: Rectangle, b: Rectangle): Rectangle | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}
