// Types of scripts/cli-bundle.mjs for the TypeScript callers (bench/cli-startup.ts).
export function freshBundle(root?: string): string | undefined;
export function buildCliBundle(options?: { root?: string; onSourceRead?: (path: string) => Promise<void> | void }): Promise<string | undefined>;
