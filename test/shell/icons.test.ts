// The committed icons: valid PNGs of the right size, what scripts/draw-icons.ts draws today, template
// images black with alpha only, and the .ico/.icns containers well formed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  appIconLayers,
  crc32,
  encodePng,
  ICNS_TYPES,
  rasterize,
  TRAY_SIZE,
  TRAY_STATES,
  TRAY_VARIANTS,
  trayIconFileName,
  trayIconPng,
} from '../../scripts/draw-icons';

const RESOURCES = join(import.meta.dirname, '..', '..', 'resources');

/** Decodes an 8-bit RGBA, non-interlaced PNG (what the script writes), checking every chunk's CRC. */
function decodePng(bytes: Buffer): { width: number; height: number; rgba: Uint8Array } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  for (;;) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('ascii', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    expect(bytes.readUInt32BE(offset + 8 + length), `CRC of ${type}`).toBe(
      crc32(bytes.subarray(offset + 4, offset + 8 + length)),
    );
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9], data[12]]).toEqual([8, 6, 0]);
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (stride + 1)], 'filter type').toBe(0);
    rgba.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return { width, height, rgba };
}

describe('tray icons', () => {
  it('exist for every state and variant at 1x (16 px) and 2x (32 px), as the script draws them', () => {
    for (const state of TRAY_STATES) {
      for (const variant of TRAY_VARIANTS) {
        for (const scale of [1, 2] as const) {
          const name = trayIconFileName(state, variant, scale);
          const bytes = readFileSync(join(RESOURCES, 'tray', name));
          const { width, height } = decodePng(bytes);
          expect([width, height], name).toEqual([TRAY_SIZE * scale, TRAY_SIZE * scale]);
          expect(bytes.equals(trayIconPng(state, variant, scale)), `${name} is out of date: run npm run icons`).toBe(
            true,
          );
        }
      }
    }
  });

  it('are black with alpha only as macOS template images, and differ between states', () => {
    const seen = new Set<string>();
    for (const state of TRAY_STATES) {
      const { rgba } = decodePng(readFileSync(join(RESOURCES, 'tray', trayIconFileName(state, 'template', 2))));
      let opaque = 0;
      for (let i = 0; i < rgba.length; i += 4) {
        if (rgba[i + 3] === 0) continue;
        opaque++;
        expect([rgba[i], rgba[i + 1], rgba[i + 2]]).toEqual([0, 0, 0]);
      }
      expect(opaque, state).toBeGreaterThan(100);
      seen.add(Buffer.from(rgba).toString('base64'));
    }
    expect(seen.size).toBe(TRAY_STATES.length);
  });

  it('have a dark glyph for light menus and a light glyph for dark ones', () => {
    const brightness = (variant: 'light' | 'dark') => {
      const { rgba } = decodePng(readFileSync(join(RESOURCES, 'tray', trayIconFileName('idle', variant, 1))));
      let sum = 0;
      let count = 0;
      for (let i = 0; i < rgba.length; i += 4) {
        if (rgba[i + 3]! <= 200) continue;
        sum += rgba[i]!;
        count++;
      }
      return sum / count;
    };
    expect(brightness('light')).toBeLessThan(80);
    expect(brightness('dark')).toBeGreaterThan(200);
  });
});

describe('app icon', () => {
  it('is a 512 px PNG as the script draws it', () => {
    const bytes = readFileSync(join(RESOURCES, 'icon.png'));
    expect(decodePng(bytes)).toMatchObject({ width: 512, height: 512 });
    expect(bytes.equals(encodePng(rasterize(appIconLayers(), 512), 512, 512))).toBe(true);
  });

  it('has a Windows .ico with PNG images from 16 to 256 px', () => {
    const ico = readFileSync(join(RESOURCES, 'icon.ico'));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const sizes: number[] = [];
    for (let i = 0; i < ico.readUInt16LE(4); i++) {
      const entry = 6 + 16 * i;
      const png = ico.subarray(
        ico.readUInt32LE(entry + 12),
        ico.readUInt32LE(entry + 12) + ico.readUInt32LE(entry + 8),
      );
      const { width } = decodePng(png);
      expect(ico[entry] === 0 ? 256 : ico[entry]).toBe(width);
      sizes.push(width);
    }
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });

  it('has a macOS .icns up to 1024 px', () => {
    const icns = readFileSync(join(RESOURCES, 'icon.icns'));
    expect(icns.toString('ascii', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const found: string[] = [];
    for (let offset = 8; offset < icns.length;) {
      const type = icns.toString('ascii', offset, offset + 4);
      const length = icns.readUInt32BE(offset + 4);
      const { width } = decodePng(icns.subarray(offset + 8, offset + length));
      expect(width, type).toBe(ICNS_TYPES.find((entry) => entry.type === type)!.size);
      found.push(type);
      offset += length;
    }
    expect(found).toEqual(ICNS_TYPES.map((entry) => entry.type));
  });
});
