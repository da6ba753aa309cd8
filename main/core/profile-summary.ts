/** What the UI shows of a valid profile: its variables, identity, settings, files and checks (not the values). */
import type { ProfileSummary } from '../contract/profiles';
import type { Profile } from '../profiles/schema';

export function summarizeProfile(p: Profile): ProfileSummary {
  return {
    name: p.name,
    version: p.version,
    ...(p.description ? { description: p.description } : {}),
    variables: Object.entries(p.variables).map(([name, v]) => ({
      name,
      ...(v.description ? { description: v.description } : {}),
      ...(v.default !== undefined ? { default: v.default } : {}),
      ...(v.pattern ? { pattern: v.pattern } : {}),
    })),
    ...(p.firmware ? { firmwareMinVersion: p.firmware.minVersion } : {}),
    ...(p.identity ? { identity: { mode: p.identity.mode, subject: p.identity.subject } } : {}),
    settings: Object.entries(p.settings).map(([name, s]) => ({ name, type: s.type })),
    files: p.files.map((f) => f.path),
    diagnostics: p.diagnostics.map((d) => ({ name: d.name, type: d.type })),
  };
}
