#!/usr/bin/env node
/**
 * Draws Fieldline's application icon — a gateway (amber dot) sending field lines (three arcs) on a teal rounded
 * square — and writes it as PNGs of every size the packagers want into resources/icons/<N>x<N>.png
 * (electron-builder: the folder is the Linux icon set; its largest file becomes the macOS .icns and the Windows
 * .ico). Pure Node (zlib for the PNG stream), no image library, no download; 4×4 supersampling for smooth edges.
 *
 *   node scripts/make-icons.mjs [OUT_DIR]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

export const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** RGBA pixels (width*height*4) → PNG file bytes. */
export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y += 1) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const TEAL_TOP = [18, 122, 128];
const TEAL_BOTTOM = [11, 69, 82];
const LINE = [236, 248, 246];
const AMBER = [255, 176, 32];
const DOT = { x: 0.3, y: 0.7, r: 0.085 };
const ARCS = [0.25, 0.39, 0.53];
const STROKE = 0.055;

/** The colour at (u, v) in the unit square, or undefined outside the icon. */
function shade(u, v) {
  // Rounded square with a 4% margin and a 20% corner radius.
  const m = 0.04;
  const r = 0.2;
  const qx = Math.max(Math.abs(u - 0.5) - (0.5 - m - r), 0);
  const qy = Math.max(Math.abs(v - 0.5) - (0.5 - m - r), 0);
  if (Math.hypot(qx, qy) > r) return undefined;
  const dx = u - DOT.x;
  const dy = v - DOT.y;
  const d = Math.hypot(dx, dy);
  if (d <= DOT.r) return AMBER;
  // Arcs in the upper-right quadrant around the dot, with round ends.
  if (dx >= 0 && dy <= 0) {
    for (const radius of ARCS) if (Math.abs(d - radius) <= STROKE / 2) return LINE;
  } else {
    for (const radius of ARCS) {
      for (const [ex, ey] of [
        [DOT.x + radius, DOT.y],
        [DOT.x, DOT.y - radius],
      ]) {
        if (Math.hypot(u - ex, v - ey) <= STROKE / 2) return LINE;
      }
    }
  }
  const t = v;
  return TEAL_TOP.map((c, i) => Math.round(c + (TEAL_BOTTOM[i] - c) * t));
}

export function drawIcon(size, samples = 4) {
  const rgba = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy += 1) {
        for (let sx = 0; sx < samples; sx += 1) {
          const c = shade((x + (sx + 0.5) / samples) / size, (y + (sy + 0.5) / samples) / size);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a += 1;
        }
      }
      const o = (y * size + x) * 4;
      if (a > 0) {
        rgba[o] = Math.round(r / a);
        rgba[o + 1] = Math.round(g / a);
        rgba[o + 2] = Math.round(b / a);
      }
      rgba[o + 3] = Math.round((255 * a) / (samples * samples));
    }
  }
  return encodePng(size, size, rgba);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2] ?? fileURLToPath(new URL('../resources/icons/', import.meta.url));
  await mkdir(out, { recursive: true });
  for (const size of ICON_SIZES) {
    const file = join(out, `${size}x${size}.png`);
    await writeFile(file, drawIcon(size));
    process.stdout.write(`${file}\n`);
  }
}
