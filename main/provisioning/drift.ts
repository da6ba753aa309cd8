/**
 * Drift: how far a device has moved from its golden configuration (a service visit). The profile is rendered
 * for this device — with the variables of its last passed run unless given — and compared with what the device
 * holds: every setting and file, the firmware minimum and the identity. A file a failed run left behind (its
 * rollback could not delete it) is a difference even when its content is the golden one. `fix` writes the golden
 * values back.
 */
import { readConfiguration, readFileOrAbsent } from '../device/read-config';
import type { GatewaySession } from '../device/session';
import { compareVersions } from '../device/mcuboot-image';
import { diffFiles, diffSettings } from '../profiles/diff';
import { renderProfile, type RenderedProfile } from '../profiles/template';
import type { LoadedProfile } from '../profiles/load';
import { commitSettings, saveSettings, writeSetting } from '../smp/groups/settings';
import { uploadFile } from '../smp/groups/fs';
import { identityInfo } from '../smp/groups/identity';
import { lastPassedRun } from '../store/find-run';
import type { Store } from '../store/types';
import { filesLeftByFailedRuns } from './left-on-device';
import { readRunningVersion, readSerial } from './steps/identify';

export interface Difference {
  kind: 'setting' | 'file' | 'firmware' | 'identity';
  name: string;
  expected: string | null;
  actual: string | null;
  fixable: boolean;
}

export interface DriftReport {
  serial: string;
  firmware: string;
  profile: { name: string; version: string };
  variables: Record<string, string>;
  /** Which run the variables came from, when not all were given. */
  variablesFrom?: string;
  differences: Difference[];
}

export interface DriftOptions {
  session: GatewaySession;
  profile: LoadedProfile;
  store: Store;
  station: { name: string };
  variables: Record<string, string>;
}

export async function checkDrift(options: DriftOptions): Promise<{ report: DriftReport; rendered: RenderedProfile }> {
  const { session, profile } = options;
  const serial = await readSerial({ session, profile });
  const firmware = await readRunningVersion({ session });
  const lastRecord = lastPassedRun(options.store, serial);
  const variables = { ...(lastRecord?.variables ?? {}), ...options.variables };
  const rendered = renderProfile(profile.profile, { device: { serial, firmwareVersion: firmware }, station: options.station, vars: variables });
  const back = await readConfiguration(session, rendered.settings.map((s) => s.name), rendered.files.map((f) => f.path));

  const differences: Difference[] = [
    ...diffSettings(rendered.settings, back.settings).map((d) => ({ kind: 'setting' as const, name: d.name, expected: d.expected, actual: d.actual, fixable: true })),
    ...diffFiles(rendered.files, back.files).map((d) => ({ kind: 'file' as const, name: d.name, expected: d.expected, actual: d.actual, fixable: true })),
  ];
  for (const [path, runId] of filesLeftByFailedRuns(options.store, serial)) {
    const held = back.files.has(path) ? back.files.get(path) : await readFileOrAbsent(session, path);
    if (held === undefined) continue; // removed since, by hand
    const at = differences.findIndex((d) => d.kind === 'file' && d.name === path);
    if (at >= 0) differences.splice(at, 1);
    // Not fixable: writing the golden content cannot remove a file, and the device has no way to delete it.
    differences.push({ kind: 'file', name: path, expected: null, actual: `present (${held.length} bytes), left by failed run ${runId.slice(0, 8)}`, fixable: false });
  }
  const min = profile.profile.firmware?.minVersion;
  if (min && compareVersions(firmware, min, false) < 0) {
    differences.push({ kind: 'firmware', name: 'version', expected: `>= ${min}`, actual: firmware, fixable: false });
  }
  const identity = profile.profile.identity;
  if (identity?.mode === 'csr') {
    const info = await identityInfo(session.client, identity.slot);
    if (!info.cert) differences.push({ kind: 'identity', name: `slot ${identity.slot}`, expected: 'certificate installed', actual: info.key ? 'key only' : 'empty', fixable: false });
  } else if (identity?.mode === 'inject' && identity.files) {
    const cert = (await readConfiguration(session, [], [identity.files.cert])).files.get(identity.files.cert);
    if (!cert?.length) differences.push({ kind: 'identity', name: identity.files.cert, expected: 'certificate file', actual: null, fixable: false });
  }
  return {
    report: {
      serial,
      firmware,
      profile: { name: profile.profile.name, version: profile.profile.version },
      variables,
      ...(lastRecord && Object.keys(lastRecord.variables).some((k) => !(k in options.variables)) ? { variablesFrom: lastRecord.id } : {}),
      differences,
    },
    rendered,
  };
}

/** Writes the golden value of every fixable difference and returns what was written. */
export async function fixDrift(session: GatewaySession, rendered: RenderedProfile, differences: Difference[]): Promise<Difference[]> {
  const fixed: Difference[] = [];
  const settings = differences.filter((d) => d.kind === 'setting');
  for (const d of settings) {
    const s = rendered.settings.find((x) => x.name === d.name);
    if (s) {
      await writeSetting(session.client, s.name, s.bytes);
      fixed.push(d);
    }
  }
  if (settings.length > 0) {
    await commitSettings(session.client);
    await saveSettings(session.client);
  }
  const buffers = await session.buffers();
  for (const d of differences.filter((x) => x.kind === 'file')) {
    const f = rendered.files.find((x) => x.path === d.name);
    if (f) {
      await uploadFile(session.client, f.path, f.content, buffers);
      fixed.push(d);
    }
  }
  return fixed;
}
