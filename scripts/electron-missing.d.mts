// Types of scripts/electron-missing.mjs for the TypeScript callers (electron.vite.config.ts).
export function electronBinary(load?: () => unknown): { path?: string; reason?: string };
export function electronVersion(): string | undefined;
export function executableIn(platform?: string): string;
export function electronMissingMessage(reason: string, options?: { version?: string; platform?: string; arch?: string }): string;
