/**
 * Rendering a whole profile for one device: every template (subject, SANs, setting values, files) is rendered and
 * every setting encoded to its wire bytes up front, so a missing or malformed variable is reported — all of them at
 * once — before anything is written to the device.
 */
import { FieldlineError, isFieldlineError } from '../errors';
import { encodeSettingValue, type SettingEncoding } from '../device/setting-values';
import { quote } from './issues';
import { compileErrorReason, patternBudget, testWithin } from './pattern-guard';
import type { Profile, SettingSpec } from './schema';
import { escapeDnValue, missingVariables, renderCollecting, type TemplateFacts } from './template-syntax';

export {
  collectReferences,
  escapeDnValue,
  renderTemplate,
  scanTemplate,
  type TemplateFacts,
  type TemplateReference,
  type TemplateSyntaxError,
} from './template-syntax';

export interface RenderedSetting {
  name: string;
  /** How `bytes` encode the value, so a value read back can be shown the same way. */
  encoding: SettingEncoding;
  bytes: Uint8Array;
  /** The value as a person reads it: the text, the number, true/false, or hex for bytes. */
  display: string;
}

export interface RenderedFile {
  path: string;
  content: Uint8Array;
}

export interface RenderedProfile {
  /** RFC 4514, variable values escaped; "" when the profile asks for no identity. */
  subject: string;
  sans: string[];
  /** In the profile's order. */
  settings: RenderedSetting[];
  files: RenderedFile[];
  /** The batch variables in effect: given values, then declared defaults. */
  variables: Record<string, string>;
}

/** What a device run knows: its facts, the station's, and the batch variables given (`--var`). */
export interface RenderFacts {
  device?: TemplateFacts['device'];
  station?: TemplateFacts['station'];
  vars?: Readonly<Record<string, string>>;
}

/** A declared variable pattern must match the whole value: "[A-Z]{3}-[0-9]+" does not accept "xMUC-3x". */
export function variablePattern(pattern: string): RegExp {
  try {
    // Compiled alone first: "a)|(b" is invalid, but wrapped it would compile — and escape the anchors.
    new RegExp(pattern, 'u');
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch (err) {
    throw new FieldlineError('PROFILE_INVALID', `variable pattern ${quote(pattern)} does not compile: ${compileErrorReason(err)}`);
  }
}

/**
 * The variables in effect: the given ones, then defaults for the rest. Throws TEMPLATE_VARIABLE_INVALID naming
 * every given variable the profile does not declare (a typo would otherwise fall back to the default silently) and
 * every value that fails its declared pattern.
 */
export function resolveVariables(profile: Profile, given: Readonly<Record<string, string>> = {}): Record<string, string> {
  const declared = profile.variables;
  const problems: string[] = [];
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (!Object.hasOwn(declared, name)) {
      const known = Object.keys(declared);
      problems.push(`"${name}" is not a variable of this profile (${known.length ? `it declares: ${known.join(', ')}` : 'it declares none'})`);
    } else {
      out[name] = value;
    }
  }
  // A scanned or typed value meets the author's pattern here: under a time limit, so a pattern that backtracks
  // without end fails this run instead of freezing the station.
  const budget = patternBudget();
  for (const [name, spec] of Object.entries(declared)) {
    const value = out[name] ?? spec.default;
    if (value === undefined) continue;
    const matched = spec.pattern === undefined ? true : testWithin(variablePattern(spec.pattern), value, budget);
    if (matched !== true) {
      const origin = Object.hasOwn(out, name) ? '' : ' (its default)';
      const why = matched === false ? `does not match ${spec.pattern}` : `could not be checked: the pattern ${spec.pattern} takes too long on it`;
      problems.push(`${name}=${quote(value)}${origin} ${why}`);
    }
    out[name] = value;
  }
  if (problems.length > 0) throw new FieldlineError('TEMPLATE_VARIABLE_INVALID', problems.join('; '), { problems });
  return out;
}

/**
 * Renders everything the profile writes for one device. Throws TEMPLATE_VARIABLE_INVALID (a variable the profile
 * does not declare, a value failing its pattern, an integer setting whose rendered text is not an integer that fits
 * its encoding) or TEMPLATE_MISSING_VARIABLE listing every missing fact, before anything is written.
 */
export function renderProfile(profile: Profile, facts: RenderFacts): RenderedProfile {
  const variables = resolveVariables(profile, facts.vars);
  const all: TemplateFacts = { device: facts.device ?? {}, station: facts.station ?? {}, vars: variables };
  const missing = new Set<string>();
  const render = (text: string, escape?: (v: string) => string): string =>
    renderCollecting(text, all, missing, escape ? { escape } : {});

  const subject = profile.identity ? render(profile.identity.subject, escapeDnValue) : '';
  const sans = profile.identity ? profile.identity.sans.map((s) => render(s)) : [];
  const rendered = Object.entries(profile.settings).map(([name, spec]) => ({ name, spec, text: renderValue(spec, render) }));
  const files = profile.files.map((f) => ({ path: f.path, content: new TextEncoder().encode(render(f.template)) }));
  if (missing.size > 0) throw missingVariables([...missing]);

  const invalid: string[] = [];
  const settings: RenderedSetting[] = [];
  for (const { name, spec, text } of rendered) {
    try {
      settings.push(encodeSetting(name, spec, text));
    } catch (err) {
      if (!isFieldlineError(err, 'INVALID_ARGUMENT')) throw err;
      invalid.push(`setting ${name}: ${err.message}`);
    }
  }
  if (invalid.length > 0) throw new FieldlineError('TEMPLATE_VARIABLE_INVALID', invalid.join('; '), { problems: invalid });
  return { subject, sans, settings, files, variables };
}

/** The value as text: templates rendered, numbers and booleans as written. */
function renderValue(spec: SettingSpec, render: (text: string) => string): string {
  switch (spec.type) {
    case 'string':
      return render(spec.value);
    case 'integer':
      return typeof spec.value === 'number' ? String(spec.value) : render(spec.value).trim();
    case 'boolean':
      return String(spec.value);
    case 'bytes':
      return spec.value.toLowerCase();
  }
}

export function settingEncoding(spec: SettingSpec): SettingEncoding {
  switch (spec.type) {
    case 'string':
      return 'text';
    case 'integer':
      return spec.encoding;
    case 'boolean':
      return 'bool';
    case 'bytes':
      return 'hex';
  }
}

function encodeSetting(name: string, spec: SettingSpec, text: string): RenderedSetting {
  const encoding = settingEncoding(spec);
  // BigInt() alone would take "" as 0 and "0x10" as 16: a rendered integer must be plain decimal.
  if (spec.type === 'integer' && !/^[-+]?\d+$/.test(text)) {
    throw new FieldlineError('INVALID_ARGUMENT', `${JSON.stringify(text)} is not a decimal integer`);
  }
  const bytes = encodeSettingValue(text, encoding);
  // Integers display canonically ("+07" and "7" are the same value), the rest as rendered.
  const display = spec.type === 'integer' ? BigInt(text).toString() : text;
  return { name, encoding, bytes, display };
}
