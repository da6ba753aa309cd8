/**
 * The shape of a profile's YAML, measured in linear time, before anything expensive runs on it: how many nodes it
 * could build (before parsing), then on the parsed tree how many keys, how deep, how many aliases, and which keys
 * repeat. yaml's own duplicate-key check (uniqueKeys) compares each new key with every earlier key of its map —
 * 70,000 keys took 77 s of one CPU — so it is off, and this walk finds duplicates with one Set per map instead.
 * The walk is iterative: a document nested 100,000 deep must not overflow the stack that is checking it.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import { LOAD_LIMITS } from './limits';

/** Why a document is refused, and where (an offset into the text), if one place is to blame. */
export interface Excess {
  message: string;
  offset?: number;
}

export interface Measured {
  /** Keys written a second time in their map, each the repeated key's node. */
  duplicateKeys: Node[];
  excess?: Excess;
}

const INDICATORS = new Set([':', '-', ',', '?', '[', '{'].map((c) => c.charCodeAt(0)));

/**
 * Every key or list item needs one of `:` `-` `,` `?` `[` `{` — so their number bounds what yaml would build,
 * counted in a few ms per MiB. They are counted everywhere, in strings and comments too: an upper bound cannot be
 * fooled by text that only looks quoted.
 */
export function countIndicators(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (INDICATORS.has(text.charCodeAt(i))) n++;
  return n;
}

export function prescan(text: string): Excess | undefined {
  const n = countIndicators(text);
  if (n <= LOAD_LIMITS.indicators) return undefined;
  return {
    message:
      `has ${n.toLocaleString('en')} of the characters that start YAML keys and items (: - , ? [ {): more keys and items ` +
      `than a profile may have (${LOAD_LIMITS.indicators.toLocaleString('en')})`,
  };
}

/** The offset where `node` starts, if yaml recorded one. */
function startOf(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0];
}

/** Keys, depth, aliases and duplicate keys of a parsed document, stopping at the first limit passed. */
export function measureDocument(doc: Document.Parsed): Measured {
  const duplicateKeys: Node[] = [];
  let keys = 0;
  let aliases = 0;
  const stack: Array<{ node: unknown; depth: number }> = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (isAlias(node)) {
      aliases += 1;
      if (aliases > LOAD_LIMITS.aliases) {
        return { duplicateKeys, excess: { message: `uses more than ${LOAD_LIMITS.aliases} aliases (*name)`, offset: startOf(node) } };
      }
      continue;
    }
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth + 1 > LOAD_LIMITS.depth) {
      return { duplicateKeys, excess: { message: `is nested more than ${LOAD_LIMITS.depth} levels deep`, offset: startOf(node) } };
    }
    if (isSeq(node)) {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
      continue;
    }
    keys += node.items.length;
    if (keys > LOAD_LIMITS.keys) {
      return { duplicateKeys, excess: { message: `has more than ${LOAD_LIMITS.keys.toLocaleString('en')} keys`, offset: startOf(node) } };
    }
    // yaml's own rule: scalar keys are equal when their values are (1 and "1" differ); other keys never are.
    const seen = new Set<unknown>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      if (isScalar(pair.key)) {
        if (seen.has(pair.key.value)) duplicateKeys.push(pair.key);
        else seen.add(pair.key.value);
      }
      stack.push({ node: pair.key, depth: depth + 1 }, { node: pair.value, depth: depth + 1 });
    }
  }
  return { duplicateKeys };
}
