/**
 * The renderer-bundle check (scripts/check-renderer-bundle.mjs): what it must catch and what it must let pass, and
 * the real bundle when one is built (`npm run test:security` builds first and runs the same check as a gate).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkRendererBundle, nodeBuiltinReferences } from './check-renderer-bundle.mjs';

const RENDERER = fileURLToPath(new URL('../out/renderer', import.meta.url));

describe('nodeBuiltinReferences', () => {
  it.each([
    ['import fs from "fs";', 'fs'],
    ["import{readFile as r}from'node:fs/promises';", 'node:fs/promises'],
    ['import "child_process";', 'child_process'],
    ['export * from "os";', 'os'],
    ['const m = await import("node:worker_threads");', 'node:worker_threads'],
    ['var cp=require("child_process")', 'child_process'],
    ['const p = require( "path" );', 'path'],
    ['const __vite_browser_external = {}; // __vite-browser-external:crypto', 'crypto'],
    ['console.warn(`Module "net" has been externalized for browser compatibility`)', 'net'],
  ])('finds %s', (code, module) => {
    expect(nodeBuiltinReferences(code).map((r) => r.module)).toContain(module);
  });

  it.each([
    ['import { create } from "zustand";'],
    ['import React from "react"; const fs = "filesystem";'],
    ['const events = new Map(); emit("events");'],
    ['import x from "./path.js"; import y from "events-polyfill";'],
    ['const t = requireAuth("fs-tab"); import("./lazy-screen.js");'],
  ])('lets %s pass', (code) => {
    expect(nodeBuiltinReferences(code)).toEqual([]);
  });
});

describe.skipIf(!existsSync(join(RENDERER, 'index.html')))('the built renderer (out/renderer)', () => {
  it('imports and requires no Node built-in', async () => {
    const { files, findings } = await checkRendererBundle(RENDERER);
    expect(files.length).toBeGreaterThan(0);
    expect(findings).toEqual([]);
  });
});
