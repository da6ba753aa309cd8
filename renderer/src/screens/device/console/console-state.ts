/**
 * The console's pure state: shell history (up/down as a terminal), the shell transcript kept to a bound, device
 * paths, which image actions a slot offers, base64 for file transfers. Effects and components build on these.
 */
import type { ConsoleSlot } from '../../../../../main/contract/api';

/** Commands kept in the history. */
export const HISTORY_MAX = 100;
/** Characters of shell transcript kept on screen; the oldest entries go first. */
export const TRANSCRIPT_MAX_CHARS = 200_000;

export interface ShellHistory {
  /** Oldest first. */
  readonly entries: readonly string[];
  /** Index into entries while browsing with up/down; undefined at the prompt. */
  readonly cursor: number | undefined;
  /** What was typed before browsing began, given back when down passes the newest entry. */
  readonly draft: string;
}

export const emptyHistory: ShellHistory = { entries: [], cursor: undefined, draft: '' };

/** A command run: to the end of the history (not twice in a row), browsing ends. */
export function remember(history: ShellHistory, command: string): ShellHistory {
  const text = command.trim();
  if (!text) return { ...history, cursor: undefined, draft: '' };
  const entries = history.entries.at(-1) === text ? history.entries : [...history.entries, text].slice(-HISTORY_MAX);
  return { entries, cursor: undefined, draft: '' };
}

/** Up: the previous command; `typed` is the prompt's text, kept as the draft when browsing starts. */
export function historyUp(history: ShellHistory, typed: string): { history: ShellHistory; text: string } {
  if (history.entries.length === 0) return { history, text: typed };
  const cursor = history.cursor === undefined ? history.entries.length - 1 : Math.max(0, history.cursor - 1);
  const draft = history.cursor === undefined ? typed : history.draft;
  return { history: { ...history, cursor, draft }, text: history.entries[cursor] ?? typed };
}

/** Down: the next command, and past the newest the draft again. */
export function historyDown(history: ShellHistory, typed: string): { history: ShellHistory; text: string } {
  if (history.cursor === undefined) return { history, text: typed };
  const next = history.cursor + 1;
  if (next >= history.entries.length) return { history: { ...history, cursor: undefined }, text: history.draft };
  return { history: { ...history, cursor: next }, text: history.entries[next] ?? typed };
}

export interface TranscriptEntry {
  readonly id: number;
  readonly command: string;
  readonly output: string;
  readonly ret: number | undefined;
  readonly truncated: boolean;
}

/** The transcript with `entry` added, the oldest entries dropped until it fits `max` characters. */
export function appendTranscript(transcript: readonly TranscriptEntry[], entry: TranscriptEntry, max: number = TRANSCRIPT_MAX_CHARS): TranscriptEntry[] {
  const next = [...transcript, entry];
  let size = next.reduce((n, e) => n + e.command.length + e.output.length, 0);
  while (next.length > 1 && size > max) {
    const dropped = next.shift() as TranscriptEntry;
    size -= dropped.command.length + dropped.output.length;
  }
  return next;
}

/** `/lfs` + `config` → `/lfs/config`. */
export function childPath(dir: string, name: string): string {
  return `${dir.replace(/\/+$/, '')}/${name}`;
}

/** The folder holding `path`; `/` for a top-level name and for `/` itself. */
export function parentPath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const cut = trimmed.lastIndexOf('/');
  return cut <= 0 ? '/' : trimmed.slice(0, cut);
}

export function baseName(path: string): string {
  return path.replace(/\/+$/, '').split('/').at(-1) || 'download';
}

export type SlotAction = 'test' | 'confirm' | 'erase';

/**
 * What MCUboot allows on a slot: an inactive image with a hash can be marked for test; the running image confirmed
 * while it is not yet, and a pending one made permanent; an inactive slot erased. The running image is never erased.
 */
export function slotActions(slot: ConsoleSlot): SlotAction[] {
  const actions: SlotAction[] = [];
  if (!slot.active && slot.hash && !slot.pending) actions.push('test');
  if ((slot.active && !slot.confirmed) || (slot.pending && slot.hash)) actions.push('confirm');
  if (!slot.active) actions.push('erase');
  return actions;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 without Node's Buffer (the renderer has none) and without btoa's string round trip. */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + (b === undefined ? '=' : B64[(n >> 6) & 63]!) + (c === undefined ? '=' : B64[n & 63]!);
  }
  return out;
}

export function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (const ch of clean) {
    const v = B64.indexOf(ch);
    if (v < 0) throw new Error('not base64');
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (value >> bits) & 0xff;
    }
  }
  return out;
}
