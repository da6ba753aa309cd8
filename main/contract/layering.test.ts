/**
 * The layering rule of eslint.config.js, proven on snippets: each boundary refuses a wrong import and lets an
 * allowed one through. Files need not exist: ESLint picks the configuration from the path.
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const cwd = fileURLToPath(new URL('../..', import.meta.url));
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd });
});

/** The messages of the layering rules (no-restricted-imports / no-restricted-syntax) for `code` at `filePath`. */
async function layeringErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\n`, { filePath });
  if (!result) throw new Error(`no lint result for ${filePath}`);
  const fatal = result.messages.filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(`${filePath}: ${fatal.map((m) => m.message).join('; ')}`);
  return result.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message);
}

const use = (name: string): string => `\nexport const used = ${name};`;

interface Case {
  readonly file: string;
  readonly code: string;
  /** A fragment of the expected message; undefined when the import is allowed. */
  readonly refused?: string;
}

const cases: readonly Case[] = [
  // renderer: main/contract, its own files, react, react-dom, zustand — nothing else
  { file: 'renderer/src/App.tsx', code: `import { x } from '../../main/smp/x';${use('x')}`, refused: 'renderer/ may import only' },
  { file: 'renderer/src/App.tsx', code: `import { x } from '../../main/contract/x';${use('x')}` },
  { file: 'renderer/src/views/Ports.tsx', code: `import { x } from '../../../main/contract/api';${use('x')}` },
  { file: 'renderer/src/views/Ports.tsx', code: `import { x } from '../../../main/electron/ipc';${use('x')}`, refused: 'renderer/ may import only' },
  { file: 'renderer/src/views/Ports.tsx', code: `import { x } from '../store';${use('x')}` },
  { file: 'renderer/src/App.tsx', code: `import { x } from '../../preload/index';${use('x')}`, refused: 'renderer/ may import only' },
  { file: 'renderer/src/App.tsx', code: `import { useState } from 'react';${use('useState')}` },
  { file: 'renderer/src/main.tsx', code: `import { createRoot } from 'react-dom/client';${use('createRoot')}` },
  { file: 'renderer/src/store.ts', code: `import { create } from 'zustand';${use('create')}` },
  { file: 'renderer/src/store.ts', code: `import { z } from 'zod';${use('z')}`, refused: 'renderer/ may import only' },
  { file: 'renderer/src/App.tsx', code: `import { readFileSync } from 'node:fs';${use('readFileSync')}`, refused: 'no Node builtins' },
  { file: 'renderer/src/App.tsx', code: `import { join } from 'path';${use('join')}`, refused: 'no Node builtins' },
  { file: 'renderer/src/App.tsx', code: `import { spawn } from 'child_process';${use('spawn')}`, refused: 'no Node builtins' },
  { file: 'renderer/src/App.tsx', code: `import { ipcRenderer } from 'electron';${use('ipcRenderer')}`, refused: 'Only main/electron/ and preload/' },
  { file: 'renderer/src/App.tsx', code: `import { x } from 'electron-store';${use('x')}`, refused: 'renderer/ may import only' },
  { file: 'renderer/src/App.tsx', code: `export const m = await import('../../main/smp/x');`, refused: 'Dynamic import()' },
  { file: 'renderer/src/App.tsx', code: `export const m = await import('./views/Ports');` },
  // preload: main/contract and electron
  { file: 'preload/index.ts', code: `import { contextBridge } from 'electron';${use('contextBridge')}` },
  { file: 'preload/index.ts', code: `import { createClient } from '../main/contract/client';${use('createClient')}` },
  { file: 'preload/index.ts', code: `import { x } from '../main/transport/serial';${use('x')}`, refused: 'preload/ may import only' },
  { file: 'preload/index.ts', code: `import { readFileSync } from 'node:fs';${use('readFileSync')}`, refused: 'no Node builtins' },
  // electron: only in main/electron/ and preload/
  { file: 'main/smp/client.ts', code: `import { app } from 'electron';${use('app')}`, refused: 'Only main/electron/ and preload/' },
  { file: 'main/smp/client.ts', code: `import type { WebContents } from 'electron';\nexport type W = WebContents;`, refused: 'Only main/electron/' },
  { file: 'main/cli/index.ts', code: `export const e = await import('electron');`, refused: 'Only main/electron/' },
  { file: 'bin/fieldline.js', code: `import { app } from 'electron/main';${use('app')}`, refused: 'Only main/electron/' },
  { file: 'main/electron/index.ts', code: `import { app } from 'electron';${use('app')}` },
  { file: 'main/electron/ipc.ts', code: `import { x } from '../smp/client';${use('x')}` },
  { file: 'main/smp/client.ts', code: `import { readFileSync } from 'node:fs';${use('readFileSync')}` },
  { file: 'main/smp/client.ts', code: `import { ERROR_CODES } from '../contract/errors';${use('ERROR_CODES')}` },
  // main/contract: its own files and zod
  { file: 'main/contract/api.ts', code: `import { readFileSync } from 'node:fs';${use('readFileSync')}`, refused: 'no Node builtins' },
  { file: 'main/contract/api.ts', code: `import { ipcMain } from 'electron';${use('ipcMain')}`, refused: 'Only main/electron/' },
  { file: 'main/contract/api.ts', code: `import { useState } from 'react';${use('useState')}`, refused: 'main/contract/ may import only' },
  { file: 'main/contract/api.ts', code: `import { x } from '../smp/x';${use('x')}`, refused: 'main/contract/ may import only' },
  { file: 'main/contract/api.ts', code: `import { x } from '../../renderer/src/store';${use('x')}`, refused: 'main/contract/ may import only' },
  { file: 'main/contract/api.ts', code: `import { z } from 'zod';${use('z')}` },
  { file: 'main/contract/api.ts', code: `import { ERROR_CODES } from './errors';${use('ERROR_CODES')}` },
  { file: 'main/contract/groups/image.ts', code: `import { ERROR_CODES } from '../errors';${use('ERROR_CODES')}` },
  { file: 'main/contract/groups/image.ts', code: `import { x } from '../../smp/x';${use('x')}`, refused: 'main/contract/ may import only' },
  { file: 'main/contract/api.ts', code: `const { x } = require('./errors');${use('x')}`, refused: 'Use a static import' },
  // tests run in Node: inside a zone they may use Node, but still not electron
  { file: 'main/contract/api.test.ts', code: `import { readFileSync } from 'node:fs';${use('readFileSync')}` },
  { file: 'renderer/src/App.test.tsx', code: `import { app } from 'electron';${use('app')}`, refused: 'Only main/electron/' },
];

describe('layering rule', () => {
  it.each(cases)('$file: $code', async ({ file, code, refused }) => {
    const errors = await layeringErrors(file, code);
    if (refused === undefined) expect(errors).toEqual([]);
    else expect(errors).toEqual([expect.stringContaining(refused)]);
  });

  it('refuses files nested deeper than it can check', async () => {
    const errors = await layeringErrors('renderer/a/b/c/d/e/f/g/h/i/deep.ts', 'export const x = 1;');
    expect(errors).toEqual([expect.stringContaining('Nested too deep')]);
  });

  it('passes the contract, preload, renderer and Electron code as written', async () => {
    const results = await eslint.lintFiles(['main/contract', 'main/electron', 'preload', 'renderer']);
    const layering = results.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
        .map((m) => `${r.filePath}:${m.line} ${m.message}`),
    );
    expect(layering).toEqual([]);
  });
});
