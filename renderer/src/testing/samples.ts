/** Contract values for tests, each with sensible defaults and overrides. */
import type { Device, KpiInfo, LineKpisInfo, LineState, ProfileDetails, ProfileListItem, QueueStatus, RunRecord, Settings, SlotInfo, StationStatus } from '../../../main/contract/api';

export const RUN_A = '11111111-1111-4111-8111-111111111111';
export const RUN_B = '22222222-2222-4222-8222-222222222222';

/** A valid v4-shaped uuid for index `n`. */
export function runId(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

export function device(path: string, over: Partial<Device> = {}): Device {
  return { id: `serial:${path}`, transport: 'serial', path, manual: true, state: 'idle', ...over };
}

export function queueStatus(over: Partial<QueueStatus> = {}): QueueStatus {
  return { pending: 0, inFlight: 0, deadLetter: 0, exported: 0, online: true, registryConfigured: true, ...over };
}

export function stationStatus(over: Partial<StationStatus> = {}): StationStatus {
  return { online: true, queueSize: 0, activeRuns: 0, operator: 'ana', dataDir: '/data', caReady: true, ...over };
}

export function settings(over: Partial<Settings> = {}): Settings {
  return { tokenSet: false, operator: 'ana', dataDir: '/data', idleLockMinutes: 15, fixtureLabels: {}, operatorSound: false, ca: { initialized: true, ready: true }, ...over };
}

export function profileItem(fileName: string, over: Partial<ProfileListItem> = {}): ProfileListItem {
  return { path: `/profiles/${fileName}`, fileName, source: 'example', name: fileName.replace(/\.ya?ml$/, ''), version: '1.0.0', signature: 'unsigned', problems: 0, ...over };
}

export function profileDetails(item: ProfileListItem, over: Partial<ProfileDetails> = {}): ProfileDetails {
  return {
    ...item,
    text: 'name: x\n',
    problemList: [],
    sha256: 'a'.repeat(64),
    profile: { name: item.name, version: item.version, variables: [{ name: 'site', default: 'DEV-1' }], settings: [], files: [], diagnostics: [] },
    ...over,
  };
}

export function runRecord(id: string, over: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    device: { serial: 'GW-1', port: '/dev/pts/1' },
    profile: { name: 'gateway-eu', version: '1.0.0', sha256: 'a'.repeat(64) },
    station: { name: 'st' },
    variables: {},
    startedAt: '2026-01-01T10:00:00.000Z',
    endedAt: '2026-01-01T10:00:05.000Z',
    outcome: 'passed',
    steps: [],
    diagnostics: [],
    ...over,
  };
}

export function kpi(over: Partial<KpiInfo> = {}): KpiInfo {
  return { units: 0, passed: 0, failed: 0, devices: 0, failuresByStep: [], ...over };
}

export function lineKpis(over: Partial<LineKpisInfo> = {}): LineKpisInfo {
  return { at: '2026-01-01T10:00:00.000Z', session: kpi(), bySlot: {}, today: kpi(), spc: [], ...over };
}

export function slot(port: string, over: Partial<SlotInfo> = {}): SlotInfo {
  return { port, state: 'provisioning', ...over };
}

export function lineState(over: Partial<LineState> = {}): LineState {
  return { running: false, stopping: false, concurrency: 8, requireScan: false, variables: {}, pendingScans: [], slots: [], kpis: lineKpis(), ...over };
}
