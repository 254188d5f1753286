// Draws the app icon and the tray icons (idle, syncing, error, paused; for light and dark menus and
// as macOS template images; at 1x and 2x) as PNG files, with no image library: shapes are sampled
// 4x4 per pixel and the PNG bytes are written by hand (zlib for the compression, our own CRC-32).
// Run: npm run icons   (writes resources/icon.png, icon.ico, icon.icns and resources/tray/*.png)
// The output is deterministic; test/shell/icons.test.ts checks the committed files match it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';

export const TRAY_STATES = ['idle', 'syncing', 'error', 'paused'] as const;
export type TrayState = (typeof TRAY_STATES)[number];
/**
 * light: dark glyph for light menus and taskbars; dark: light glyph for dark ones; template: black + alpha, macOS tints
 * it.
 */
export const TRAY_VARIANTS = ['light', 'dark', 'template'] as const;
export type TrayVariant = (typeof TRAY_VARIANTS)[number];
export const TRAY_SIZE = 16;

/** resources/tray/<state>-<light|dark>[@2x].png, or <state>Template[@2x].png (macOS picks @2x itself). */
export function trayIconFileName(state: TrayState, variant: TrayVariant, scale: 1 | 2): string {
  const suffix = scale === 2 ? '@2x' : '';
  return variant === 'template' ? `${state}Template${suffix}.png` : `${state}-${variant}${suffix}.png`;
}

type Rgba = readonly [number, number, number, number];
/** A point test in unit coordinates (0..1 across the image). */
type Shape = (x: number, y: number) => boolean;
/** Paint a shape with a colour, or clear it back to transparent. */
type Layer = { shape: Shape; paint: Rgba | 'clear' };

const circle =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const ellipse =
  (cx: number, cy: number, rx: number, ry: number): Shape =>
  (x, y) =>
    ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
const rect =
  (x0: number, y0: number, x1: number, y1: number): Shape =>
  (x, y) =>
    x >= x0 && x <= x1 && y >= y0 && y <= y1;
const union =
  (...shapes: Shape[]): Shape =>
  (x, y) =>
    shapes.some((shape) => shape(x, y));
const minus =
  (shape: Shape, hole: Shape): Shape =>
  (x, y) =>
    shape(x, y) && !hole(x, y);
/** A rounded rectangle. */
const roundRect = (x0: number, y0: number, x1: number, y1: number, r: number): Shape =>
  union(
    rect(x0 + r, y0, x1 - r, y1),
    rect(x0, y0 + r, x1, y1 - r),
    circle(x0 + r, y0 + r, r),
    circle(x1 - r, y0 + r, r),
    circle(x0 + r, y1 - r, r),
    circle(x1 - r, y1 - r, r),
  );
/** A ring segment from angle a0 to a1 (radians, clockwise from 3 o'clock, y down). */
const arc =
  (cx: number, cy: number, r: number, width: number, a0: number, a1: number): Shape =>
  (x, y) => {
    const d = Math.hypot(x - cx, y - cy);
    if (Math.abs(d - r) > width / 2) return false;
    let a = Math.atan2(y - cy, x - cx);
    while (a < a0) a += 2 * Math.PI;
    return a <= a1;
  };
const triangle =
  (ax: number, ay: number, bx: number, by: number, cx: number, cy: number): Shape =>
  (x, y) => {
    const s1 = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    const s2 = (cx - bx) * (y - by) - (cy - by) * (x - bx);
    const s3 = (ax - cx) * (y - cy) - (ay - cy) * (x - cx);
    return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
  };

/** A database: a cylinder with two bands, in a box (x0, y0, size). */
function cylinder(x0: number, y0: number, w: number, h: number): { body: Shape; bands: Shape } {
  const rx = w / 2;
  const ry = h * 0.16;
  const cx = x0 + rx;
  const top = y0 + ry;
  const bottom = y0 + h - ry;
  const body = union(rect(x0, top, x0 + w, bottom), ellipse(cx, top, rx, ry), ellipse(cx, bottom, rx, ry));
  const gap = h * 0.055;
  // The visible edge of the lid and of one band across the middle, as thin transparent curves.
  const lidEdge = minus(
    ellipse(cx, top + gap * 0.2, rx * 1.02, ry + gap * 0.5),
    ellipse(cx, top - gap * 0.9, rx * 1.04, ry),
  );
  const middle = top + (bottom - top) * 0.5;
  const band = minus(
    ellipse(cx, middle, rx * 1.02, ry + gap * 0.5),
    union(ellipse(cx, middle - gap, rx * 1.04, ry), (x, y) => y < middle),
  );
  return { body, bands: union(lidEdge, band) };
}

const INK: Record<Exclude<TrayVariant, 'template'>, Rgba> = { light: [40, 40, 40, 255], dark: [242, 242, 242, 255] };
const BADGE: Record<Exclude<TrayState, 'idle'>, Rgba> = {
  syncing: [26, 115, 232, 255],
  error: [217, 48, 37, 255],
  paused: [227, 116, 0, 255],
};
const BLACK: Rgba = [0, 0, 0, 255];
const WHITE: Rgba = [255, 255, 255, 255];

/** The badge's symbol (cut out of, or drawn on, a disc at cx, cy of radius r). */
function badgeSymbol(state: Exclude<TrayState, 'idle'>, cx: number, cy: number, r: number): Shape {
  switch (state) {
    case 'syncing':
      return union(
        arc(cx, cy, r * 0.55, r * 0.28, -Math.PI * 0.35, Math.PI * 1.15),
        triangle(cx + r * 0.18, cy - r * 0.92, cx + r * 0.18, cy - r * 0.18, cx + r * 0.72, cy - r * 0.55),
      );
    case 'error':
      return union(
        rect(cx - r * 0.14, cy - r * 0.62, cx + r * 0.14, cy + r * 0.16),
        circle(cx, cy + r * 0.45, r * 0.15),
      );
    case 'paused':
      return union(
        rect(cx - r * 0.42, cy - r * 0.5, cx - r * 0.12, cy + r * 0.5),
        rect(cx + r * 0.12, cy - r * 0.5, cx + r * 0.42, cy + r * 0.5),
      );
  }
}

export function trayLayers(state: TrayState, variant: TrayVariant): Layer[] {
  const ink = variant === 'template' ? BLACK : INK[variant];
  const db = cylinder(0.1, 0.04, 0.62, 0.84);
  const layers: Layer[] = [
    { shape: db.body, paint: ink },
    { shape: db.bands, paint: 'clear' },
  ];
  if (state === 'idle') return layers;
  const [cx, cy, r] = [0.72, 0.72, 0.28];
  layers.push({ shape: circle(cx, cy, r + 0.07), paint: 'clear' });
  if (variant === 'template') {
    layers.push({ shape: circle(cx, cy, r), paint: BLACK }, { shape: badgeSymbol(state, cx, cy, r), paint: 'clear' });
  } else {
    layers.push(
      { shape: circle(cx, cy, r), paint: BADGE[state] },
      { shape: badgeSymbol(state, cx, cy, r), paint: WHITE },
    );
  }
  return layers;
}

export function appIconLayers(): Layer[] {
  const db = cylinder(0.27, 0.2, 0.4, 0.56);
  const [cx, cy, r] = [0.69, 0.7, 0.17];
  return [
    { shape: roundRect(0.06, 0.06, 0.94, 0.94, 0.2), paint: [22, 94, 204, 255] },
    { shape: roundRect(0.06, 0.06, 0.94, 0.5, 0.2), paint: [38, 118, 230, 255] },
    { shape: rect(0.06, 0.3, 0.94, 0.5), paint: [38, 118, 230, 255] },
    { shape: db.body, paint: WHITE },
    { shape: db.bands, paint: [30, 106, 217, 255] },
    { shape: circle(cx, cy, r + 0.035), paint: [22, 94, 204, 255] },
    { shape: circle(cx, cy, r), paint: [52, 199, 130, 255] },
    { shape: badgeSymbol('syncing', cx, cy, r), paint: WHITE },
  ];
}

/** Rasterises layers at size x size, 4x4 samples per pixel; returns RGBA bytes (not premultiplied). */
export function rasterize(layers: readonly Layer[], size: number): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) / size;
          const y = (py + (sy + 0.5) / n) / size;
          let colour: Rgba | null = null;
          for (const layer of layers) if (layer.shape(x, y)) colour = layer.paint === 'clear' ? null : layer.paint;
          if (colour) {
            const alpha = colour[3] / 255;
            r += colour[0] * alpha;
            g += colour[1] * alpha;
            b += colour[2] * alpha;
            a += alpha;
          }
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
        out[i + 3] = Math.round((a / (n * n)) * 255);
      }
    }
  }
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** An 8-bit RGBA PNG, no interlace, filter 0 on every row. */
export function encodePng(rgba: Uint8Array, width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  const raw = Buffer.alloc(height * (width * 4 + 1));
  for (let y = 0; y < height; y++)
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** A Windows .ico holding PNG images (Vista and later read PNG entries). */
export function encodeIco(images: readonly { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map(({ size, png }) => {
    const entry = Buffer.alloc(16);
    entry[0] = size >= 256 ? 0 : size;
    entry[1] = size >= 256 ? 0 : size;
    entry.writeUInt16LE(1, 4); // planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(png.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += png.length;
    return entry;
  });
  return Buffer.concat([header, ...entries, ...images.map((image) => image.png)]);
}

/** macOS .icns element types holding PNG data, by pixel size (the @2x types reuse a larger PNG). */
export const ICNS_TYPES: readonly { type: string; size: number }[] = [
  { type: 'icp4', size: 16 },
  { type: 'ic11', size: 32 },
  { type: 'icp5', size: 32 },
  { type: 'ic12', size: 64 },
  { type: 'ic07', size: 128 },
  { type: 'ic13', size: 256 },
  { type: 'ic08', size: 256 },
  { type: 'ic14', size: 512 },
  { type: 'ic09', size: 512 },
  { type: 'ic10', size: 1024 },
];

export function encodeIcns(pngBySize: ReadonlyMap<number, Buffer>): Buffer {
  const elements = ICNS_TYPES.map(({ type, size }) => {
    const png = pngBySize.get(size);
    if (!png) throw new Error(`No ${size}px image for the icns element ${type}`);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + elements.reduce((sum, element) => sum + element.length, 0), 4);
  return Buffer.concat([head, ...elements]);
}

export function trayIconPng(state: TrayState, variant: TrayVariant, scale: 1 | 2): Buffer {
  const size = TRAY_SIZE * scale;
  return encodePng(rasterize(trayLayers(state, variant), size), size, size);
}

export const APP_ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024] as const;

export function appIconPngs(): Map<number, Buffer> {
  return new Map(APP_ICON_SIZES.map((size) => [size, encodePng(rasterize(appIconLayers(), size), size, size)]));
}

/** Every file this script writes, relative to resources/. */
export function allIconFiles(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const state of TRAY_STATES) {
    for (const variant of TRAY_VARIANTS) {
      for (const scale of [1, 2] as const)
        files.set(`tray/${trayIconFileName(state, variant, scale)}`, trayIconPng(state, variant, scale));
    }
  }
  const app = appIconPngs();
  files.set('icon.png', app.get(512)!);
  files.set('icon.ico', encodeIco([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, png: app.get(size)! }))));
  files.set('icon.icns', encodeIcns(app));
  return files;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const resources = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources');
  for (const [name, bytes] of allIconFiles()) {
    mkdirSync(dirname(join(resources, name)), { recursive: true });
    writeFileSync(join(resources, name), bytes);
  }
  console.log(`Wrote the app and tray icons to ${resources}`);
}
