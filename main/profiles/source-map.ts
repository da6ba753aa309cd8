/**
 * A profile's YAML text parsed into yaml's Document (kept, not just converted to JS), so every problem found later
 * — by zod or by the semantic checks — can be pointed at the line and column of the node it is about, or of the
 * nearest existing parent when the key is missing.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { LOAD_LIMITS } from './limits';
import { measureDocument, type Measured } from './structure';

export type ProfilePath = ReadonlyArray<string | number>;

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface YamlSyntaxProblem extends SourcePosition {
  code: string;
  message: string;
}

/** "settings.app/site.value", "diagnostics[2].pattern", `settings["a.b"].type`; the empty path is the document. */
export function formatPath(path: ProfilePath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z0-9_/-]+$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Where the walk along a path ended: the node reached and the key that led to it, if any. */
interface Reached {
  node: Node | null;
  key: Node | null;
  complete: boolean;
}

export class ProfileSource {
  readonly lines = new LineCounter();
  readonly doc: Document.Parsed;
  /** Keys, depth and aliases against LOAD_LIMITS, and the duplicate keys; the caller refuses on `excess`. */
  readonly measured: Measured;
  /** Each map's pairs by key text, built on first use: finding a path must not be a scan of every key. */
  private readonly keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>();
  /** Where locateInScalar last found a needle, so the n-th occurrence continues from the (n-1)-th. */
  private readonly lastFound = new Map<string, { occurrence: number; at: number }>();

  constructor(readonly text: string) {
    // uniqueKeys off: yaml's check is quadratic. measureDocument finds the duplicates in linear time instead, and
    // a key written twice is still reported as a problem, never silently resolved.
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: false });
    this.measured = measureDocument(this.doc);
  }

  /** YAML errors (syntax, duplicate keys, several documents in one file) with their positions. */
  syntaxProblems(): YamlSyntaxProblem[] {
    const errors = this.doc.errors.map((e) => ({ ...this.position(e.pos[0]), code: e.code, message: firstLine(e.message) }));
    const duplicates = this.measured.duplicateKeys.map((key) => ({
      ...this.position(key.range?.[0] ?? 0),
      code: 'DUPLICATE_KEY',
      message: 'Map keys must be unique',
    }));
    return [...errors, ...duplicates];
  }

  /** Errors after which the structure cannot be trusted; a duplicate key leaves a well-formed document. */
  hasStructuralErrors(): boolean {
    return this.doc.errors.length > 0;
  }

  /** The document as plain data; yaml throws a ReferenceError when aliases would expand past the limit. */
  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: LOAD_LIMITS.aliases });
  }

  position(offset: number): SourcePosition {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /**
   * The position of the value at `path`; of its key when the value is empty or `preferKey` is set; of the nearest
   * existing parent's key when part of the path does not exist.
   */
  locate(path: ProfilePath, preferKey = false): SourcePosition {
    const reached = this.walk(path);
    const node = reached.complete && !preferKey && !isEmpty(reached.node) ? reached.node : (reached.key ?? reached.node);
    const start = node?.range?.[0];
    return start === undefined ? { line: 1, column: 1 } : this.position(start);
  }

  /**
   * The position of `needle` inside the source of the scalar at `path` (for example one `{{ … }}` reference in a
   * block of text), searching from the `occurrence`-th match; the scalar's own position when it is not found
   * verbatim (escaped in a quoted string, say).
   */
  locateInScalar(path: ProfilePath, needle: string, occurrence = 0): SourcePosition {
    const reached = this.walk(path);
    const range = reached.complete && isScalar(reached.node) ? reached.node.range : undefined;
    if (range) {
      const source = this.text.slice(range[0], range[1]);
      // Callers ask for occurrences 0, 1, 2… in turn: continuing from the last one keeps a template with
      // thousands of references linear instead of searching from the start each time.
      const memoKey = `${range[0]}\u0000${needle}`;
      const last = this.lastFound.get(memoKey);
      let at = last && last.occurrence < occurrence ? last.at : -1;
      for (let i = last && last.occurrence < occurrence ? last.occurrence + 1 : 0; i <= occurrence; i++) {
        at = source.indexOf(needle, at + 1);
        if (at < 0) break;
      }
      if (at >= 0) {
        this.lastFound.set(memoKey, { occurrence, at });
        return this.position(range[0] + at);
      }
    }
    return this.locate(path);
  }

  private walk(path: ProfilePath): Reached {
    let node: Node | null = this.resolve(this.doc.contents);
    let key: Node | null = null;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = this.pairs(node).get(String(segment));
        if (!pair) return { node, key, complete: false };
        key = pair.key as Node;
        node = this.resolve(pair.value as Node | null);
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as Node | undefined;
        if (item === undefined) return { node, key, complete: false };
        key = null;
        node = this.resolve(item);
      } else {
        return { node, key, complete: false };
      }
    }
    return { node, key, complete: true };
  }

  /** The map's pairs by key text; the first pair wins for a repeated key, as a scan from the start would find. */
  private pairs(map: YAMLMap): Map<string, Pair> {
    let index = this.keyIndex.get(map);
    if (!index) {
      index = new Map();
      for (const p of map.items) {
        if (isPair(p) && isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
      }
      this.keyIndex.set(map, index);
    }
    return index;
  }

  private resolve(node: Node | null | undefined): Node | null {
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? null;
    return node ?? null;
  }
}

/** `key:` with nothing after it: yaml gives a null scalar of zero width, whose position is the next line. */
function isEmpty(node: Node | null): boolean {
  if (node === null) return true;
  return isScalar(node) && node.value === null && node.range != null && node.range[0] === node.range[1];
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message;
}
