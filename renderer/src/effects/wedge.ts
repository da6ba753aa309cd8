/**
 * A barcode scanner in keyboard-wedge mode is a keyboard that types the label's text very fast and presses Enter.
 * This tells a scan from a person: at least `minLength` printable keys and Enter, on average at most `meanGapMs`
 * apart (a scanner sends a key every few milliseconds; even a fast typist averages 80 ms and more), none more than
 * `maxGapMs` apart (a pause ends a burst). The average, not each gap, decides, because a busy machine may deliver
 * one key of a scan late; a person never keeps a 30 ms average. Only while no text field has focus — a field gets its keys, including a scan typed into it on purpose (the
 * Station screen's scan field) — and never with Ctrl, Alt or Meta held (shortcuts). The Enter that ends a
 * recognized scan is swallowed, so it cannot also press the button that has focus.
 */

export interface KeyLike {
  readonly key: string;
  readonly ctrlKey?: boolean;
  readonly altKey?: boolean;
  readonly metaKey?: boolean;
  readonly target?: unknown;
  preventDefault(): void;
}

export interface WedgeOptions {
  /** Longest gap between two keys of one burst (default 100 ms): a longer pause starts a new one. */
  maxGapMs?: number;
  /** Longest average gap of a scan, Enter included (default 30 ms). */
  meanGapMs?: number;
  /** Shortest scan (default 3 characters): two fast keys and Enter are more likely a stumble. */
  minLength?: number;
  /** Longest scan kept (default 512); beyond it the burst is not a label. */
  maxLength?: number;
  now?: () => number;
}

export interface WedgeDetector {
  /** Feed every keydown. */
  key(event: KeyLike): void;
}

interface MaybeElement {
  tagName?: unknown;
  isContentEditable?: unknown;
  type?: unknown;
}

const NON_TEXT_INPUTS = new Set(['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file', 'image']);

/** A focused element that takes typed text: its keys are its own. */
export function isTextField(target: unknown): boolean {
  if (typeof target !== 'object' || target === null) return false;
  const el = target as MaybeElement;
  if (el.isContentEditable === true) return true;
  const tag = typeof el.tagName === 'string' ? el.tagName.toUpperCase() : '';
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  return !NON_TEXT_INPUTS.has(typeof el.type === 'string' ? el.type.toLowerCase() : 'text');
}

export function createWedgeDetector(onScan: (text: string) => void, options: WedgeOptions = {}): WedgeDetector {
  const maxGapMs = options.maxGapMs ?? 100;
  const meanGapMs = options.meanGapMs ?? 30;
  const minLength = options.minLength ?? 3;
  const maxLength = options.maxLength ?? 512;
  const now = options.now ?? (() => Date.now());
  let buffer = '';
  let first = 0;
  let last = -Infinity;
  let broken = false;

  const reset = (): void => {
    buffer = '';
    broken = false;
    last = -Infinity;
  };

  return {
    key(event) {
      if (isTextField(event.target) || event.ctrlKey || event.altKey || event.metaKey) return reset();
      const t = now();
      const gap = t - last;
      if (event.key === 'Enter') {
        const text = buffer;
        // Intervals from the first key to Enter: one per key typed after the first, plus Enter's.
        const fast = gap <= maxGapMs && !broken && text.length > 0 && (t - first) / text.length <= meanGapMs;
        reset();
        if (fast && text.length >= minLength) {
          event.preventDefault();
          onScan(text);
        }
        return;
      }
      // Scanners press Shift for capitals: it neither starts nor breaks a burst.
      if (event.key === 'Shift') return;
      if (event.key.length !== 1) return reset();
      if (gap > maxGapMs) {
        buffer = '';
        broken = false;
        first = t;
      }
      last = t;
      if (buffer.length >= maxLength) broken = true;
      else buffer += event.key;
    },
  };
}

/** A window (or any target) that sends keydown events. */
export interface KeySource {
  addEventListener(type: 'keydown', listener: (event: KeyLike) => void, capture: boolean): void;
  removeEventListener(type: 'keydown', listener: (event: KeyLike) => void, capture: boolean): void;
}

/** Listens on `source` in the capture phase (before a focused button acts on Enter). Returns the stop function. */
export function listenForScans(source: KeySource, onScan: (text: string) => void, options: WedgeOptions = {}): () => void {
  const detector = createWedgeDetector(onScan, options);
  const listener = (event: KeyLike): void => detector.key(event);
  source.addEventListener('keydown', listener, true);
  return () => source.removeEventListener('keydown', listener, true);
}
