/**
 * Fault specs: the small language of `fieldline sim --fault SPEC`. One spec is a name, optionally followed by
 * `:` and comma-separated `key=value` parameters; every fault accepts `gw=INDEX` (0-based) to hit one gateway
 * only. Parsing is strict (unknown names or keys, missing or out-of-range values are errors that say what is
 * accepted), because a typo that silently disables a fault makes a test pass for the wrong reason.
 */
import { FieldlineError } from '../../errors';

export type FaultSpec =
  | { kind: 'drop-request'; p: number; gw?: number }
  | { kind: 'drop-reply'; p: number; gw?: number }
  | { kind: 'corrupt-reply'; p: number; gw?: number }
  | { kind: 'duplicate-reply'; p: number; gw?: number }
  | { kind: 'delay-reply'; ms: number; p: number; gw?: number }
  | { kind: 'disconnect'; after: number; back?: number; gw?: number }
  | { kind: 'reboot-mid-upload'; at: number; gw?: number }
  | { kind: 'fail-diag'; name: string; image?: string; gw?: number };

export type FaultKind = FaultSpec['kind'];

type ParamType = 'probability' | 'count' | 'ms' | 'bytes' | 'name';

interface FaultDef {
  params: Record<string, { type: ParamType; required?: boolean; default?: number }>;
  help: string;
  example: string;
}

const P = { type: 'probability', default: 1 } as const;

/** Every fault, its parameters and its --help line. */
export const FAULTS: Record<FaultKind, FaultDef> = {
  'drop-request': {
    params: { p: P },
    help: 'the gateway never receives a request (lost on the line), with probability p (default 1)',
    example: 'drop-request:p=0.05',
  },
  'drop-reply': {
    params: { p: P },
    help: 'the gateway executes the request but its reply is lost, with probability p',
    example: 'drop-reply:p=0.05',
  },
  'corrupt-reply': {
    params: { p: P },
    help: 'one character of a reply frame is changed so the CRC-16 check fails, with probability p',
    example: 'corrupt-reply:p=0.02',
  },
  'duplicate-reply': {
    params: { p: P },
    help: 'a reply is sent twice (a stale duplicate follows), with probability p',
    example: 'duplicate-reply:p=0.2',
  },
  'delay-reply': {
    params: { ms: { type: 'ms', required: true }, p: P },
    help: 'the gateway is busy for ms=MS milliseconds before replying (handling nothing else meanwhile), with probability p',
    example: 'delay-reply:ms=1500,p=0.5',
  },
  disconnect: {
    params: { after: { type: 'count', required: true }, back: { type: 'ms' } },
    help:
      'after answering after=N requests the gateway is unplugged (its port disappears); with back=MS it is ' +
      'plugged in again MS milliseconds later, at the same port path and freshly booted',
    example: 'disconnect:after=20,back=3000',
  },
  'reboot-mid-upload': {
    params: { at: { type: 'bytes', required: true } },
    help: 'the gateway reboots (a power glitch) on the image or FS upload chunk that covers byte offset at=BYTES, once; that chunk is lost',
    example: 'reboot-mid-upload:at=65536',
  },
  'fail-diag': {
    params: { name: { type: 'name', required: true }, image: { type: 'name' } },
    help: 'the named diagnostic (temp, modem or selftest: shell `diag NAME`) reports a failure on the gateway; with image=VERSION only while that image version runs (a bad firmware release)',
    example: 'fail-diag:name=selftest',
  },
};

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function bad(spec: string, why: string): FieldlineError {
  return new FieldlineError('INVALID_ARGUMENT', `fault spec "${spec}": ${why} (see fieldline sim --help)`, { spec });
}

function parseValue(spec: string, key: string, type: ParamType, raw: string): number | string {
  if (type === 'name') {
    if (!NAME.test(raw)) throw bad(spec, `${key} must be 1-64 letters, digits, "_", "." or "-"`);
    return raw;
  }
  if (type === 'probability') {
    const p = /^(?:0|1|0?\.\d+|1\.0*)$/.test(raw) ? Number(raw) : NaN;
    if (!(p >= 0 && p <= 1)) throw bad(spec, `${key} must be a probability between 0 and 1, got "${raw}"`);
    return p;
  }
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) throw bad(spec, `${key} must be a whole number, got "${raw}"`);
  if (type === 'count' && n < 1) throw bad(spec, `${key} must be at least 1`);
  return n;
}

/** Parses one spec such as `delay-reply:ms=1500,p=0.5,gw=1`; throws FieldlineError('INVALID_ARGUMENT') with the reason. */
export function parseFaultSpec(spec: string): FaultSpec {
  const text = spec.trim();
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  if (!Object.hasOwn(FAULTS, name)) {
    throw bad(spec, `unknown fault "${name}"; known faults: ${Object.keys(FAULTS).join(', ')}`);
  }
  const kind = name as FaultKind;
  const def = FAULTS[kind];
  const values: Record<string, number | string> = {};
  const params = colon < 0 ? [] : text.slice(colon + 1).split(',');
  for (const param of params) {
    const eq = param.indexOf('=');
    const key = (eq < 0 ? param : param.slice(0, eq)).trim();
    const raw = eq < 0 ? '' : param.slice(eq + 1).trim();
    if (eq < 0 || key === '' || raw === '') throw bad(spec, `expected key=value, got "${param}"`);
    if (Object.hasOwn(values, key)) throw bad(spec, `${key} is given twice`);
    if (key === 'gw') {
      values.gw = parseValue(spec, key, 'bytes', raw);
      continue;
    }
    const paramDef = def.params[key];
    if (!paramDef) {
      const known = [...Object.keys(def.params), 'gw'].join(', ');
      throw bad(spec, `${kind} has no parameter "${key}" (it takes ${known})`);
    }
    values[key] = parseValue(spec, key, paramDef.type, raw);
  }
  for (const [key, paramDef] of Object.entries(def.params)) {
    if (Object.hasOwn(values, key)) continue;
    if (paramDef.required) throw bad(spec, `${kind} needs ${key}=…, e.g. ${def.example}`);
    if (paramDef.default !== undefined) values[key] = paramDef.default;
  }
  return { kind, ...values } as FaultSpec;
}

export function parseFaultSpecs(specs: readonly string[]): FaultSpec[] {
  return specs.map(parseFaultSpec);
}

/** Does this spec apply to gateway `index`? */
export function targets(spec: FaultSpec, index: number): boolean {
  return spec.gw === undefined || spec.gw === index;
}

/** The fault section of `fieldline sim --help`: grammar, then one line and an example per fault. */
export function faultHelp(): string {
  const lines = [
    'Fault specs (--fault, repeatable): NAME[:KEY=VALUE[,KEY=VALUE…]]',
    '  every fault also takes gw=INDEX (0-based) to affect one gateway only; random choices follow --seed',
  ];
  for (const [kind, def] of Object.entries(FAULTS)) {
    lines.push(...wrap(`${kind}: ${def.help}`, '  ', '      '), `      e.g. --fault ${def.example}`);
  }
  return lines.join('\n');
}

/** Word-wraps help text to 100 columns, so it reads well in an ordinary terminal. */
function wrap(text: string, first: string, rest: string, width = 100): string[] {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(' ')) {
    const indent = lines.length === 0 ? first : rest;
    if (line.length > indent.length && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest;
    }
    line += (line.length > (lines.length === 0 ? first : rest).length ? ' ' : '') + word;
  }
  lines.push(line);
  return lines;
}
