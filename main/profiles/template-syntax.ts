/**
 * The template language of profiles, deliberately tiny: `{{ namespace.name }}` with optional filters
 * (`{{ vars.site | lower }}`). No logic, no loops, no escapes into code — a profile is data a station may receive
 * from elsewhere, and anything it can say must be checkable by `profile lint` before a device sees it.
 */
import { FieldlineError } from '../errors';

/** The facts a template can name, by namespace; `vars` holds the batch variables the profile declares. */
export const FACT_FIELDS = {
  device: ['serial', 'firmwareVersion'],
  station: ['name'],
} as const satisfies Record<string, readonly string[]>;
export const NAMESPACES = ['device', 'station', 'vars'] as const;

/** `json` quotes a value as a JSON string, for values placed inside JSON file templates. */
const FILTERS: Record<string, (value: string) => string> = {
  lower: (v) => v.toLowerCase(),
  upper: (v) => v.toUpperCase(),
  json: (v) => JSON.stringify(v),
};
export const FILTER_NAMES = Object.keys(FILTERS);

export interface TemplateReference {
  /** The whole `{{ … }}` as written. */
  raw: string;
  /** Offset of `raw` in the template text. */
  index: number;
  namespace: string;
  name: string;
  filters: string[];
}

export interface TemplateSyntaxError {
  raw: string;
  index: number;
  message: string;
}

export interface TemplateFacts {
  device?: { serial?: string; firmwareVersion?: string };
  station?: { name?: string };
  vars?: Readonly<Record<string, string | undefined>>;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Text from the template inside a message, cut: a `{{ … }}` may be a megabyte long. */
function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Every reference and every malformed `{{ … }}` in a template, in order. */
export function scanTemplate(text: string): { references: TemplateReference[]; errors: TemplateSyntaxError[] } {
  const references: TemplateReference[] = [];
  const errors: TemplateSyntaxError[] = [];
  let from = 0;
  for (;;) {
    const open = text.indexOf('{{', from);
    if (open < 0) break;
    const close = text.indexOf('}}', open + 2);
    if (close < 0) {
      errors.push({ raw: text.slice(open, open + 20), index: open, message: '"{{" is never closed with "}}"' });
      break;
    }
    const raw = text.slice(open, close + 2);
    const parsed = parseExpression(text.slice(open + 2, close));
    if (typeof parsed === 'string') errors.push({ raw, index: open, message: `${parsed} in ${clip(raw)}` });
    else references.push({ raw, index: open, ...parsed });
    from = close + 2;
  }
  return { references, errors };
}

/** The references in a template (malformed ones left out; `scanTemplate` reports those). */
export function collectReferences(text: string): TemplateReference[] {
  return scanTemplate(text).references;
}

/** `ns.name | f | g` → its parts, or the reason it is malformed. */
function parseExpression(inner: string): Pick<TemplateReference, 'namespace' | 'name' | 'filters'> | string {
  const [head = '', ...rest] = inner.split('|').map((s) => s.trim());
  if (head === '') return 'empty reference';
  const dot = head.split('.');
  if (dot.length !== 2 || !dot.every((p) => IDENT.test(p))) {
    return `"${clip(head)}" is not of the form namespace.name (for example vars.site or device.serial)`;
  }
  for (const filter of rest) {
    if (!Object.hasOwn(FILTERS, filter)) return `unknown filter "${clip(filter)}" (known: ${FILTER_NAMES.join(', ')})`;
  }
  return { namespace: dot[0] as string, name: dot[1] as string, filters: rest };
}

/** The fact a reference names, or undefined when the facts do not have it. */
export function lookupFact(facts: TemplateFacts, namespace: string, name: string): string | undefined {
  const space: Readonly<Record<string, string | undefined>> | undefined =
    namespace === 'device' ? facts.device : namespace === 'station' ? facts.station : namespace === 'vars' ? facts.vars : undefined;
  return space && Object.hasOwn(space, name) ? space[name] : undefined;
}

export interface RenderOptions {
  /** Applied to each substituted value after its filters (for example RFC 4514 escaping inside a subject). */
  escape?: (value: string) => string;
}

/**
 * Renders a template, adding each missing fact's name ("vars.site") to `missing` instead of failing, so a caller
 * rendering many templates can report every missing value at once.
 */
export function renderCollecting(text: string, facts: TemplateFacts, missing: Set<string>, options: RenderOptions = {}): string {
  const { references, errors } = scanTemplate(text);
  if (errors[0]) throw new FieldlineError('PROFILE_INVALID', errors[0].message);
  let out = '';
  let from = 0;
  for (const ref of references) {
    out += text.slice(from, ref.index);
    from = ref.index + ref.raw.length;
    const value = lookupFact(facts, ref.namespace, ref.name);
    if (value === undefined) {
      missing.add(`${ref.namespace}.${ref.name}`);
      continue;
    }
    const filtered = ref.filters.reduce((v, f) => (FILTERS[f] as (s: string) => string)(v), value);
    out += options.escape ? options.escape(filtered) : filtered;
  }
  return out + text.slice(from);
}

/** Renders one template; throws TEMPLATE_MISSING_VARIABLE naming every fact it needs that `facts` lacks. */
export function renderTemplate(text: string, facts: TemplateFacts, options: RenderOptions = {}): string {
  const missing = new Set<string>();
  const out = renderCollecting(text, facts, missing, options);
  if (missing.size > 0) throw missingVariables([...missing]);
  return out;
}

export function missingVariables(names: string[]): FieldlineError {
  const vars = names.filter((n) => n.startsWith('vars.')).map((n) => `--var ${n.slice(5)}=…`);
  const how = vars.length > 0 ? ` (pass ${vars.join(' ')})` : '';
  return new FieldlineError('TEMPLATE_MISSING_VARIABLE', `${names.join(', ')}${how}`, { missing: names });
}

/** RFC 4514 escaping of one attribute value, so a variable holding "," or "+" cannot change a subject's shape. */
export function escapeDnValue(value: string): string {
  let out = value.replace(/["+,;<>\\]/g, (c) => `\\${c}`).replace(/\0/g, '\\00');
  // Trailing first: for a lone space the leading rule then sees the backslash and leaves it alone.
  if (out.endsWith(' ')) out = `${out.slice(0, -1)}\\ `;
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  return out;
}
