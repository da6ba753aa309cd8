/**
 * The doctor's probes for a machine where every check passes — a Linux station, its user in dialout, the rule
 * installed and applied, a powered adapter, an unlocked CA, a registry in step — for tests to break one thing at a
 * time. `healthyAnswers` is the same machine as the JSON answers `fieldline doctor` takes under
 * FIELDLINE_DOCTOR_FAKE_PROBES (main/cli/doctor-fakes.ts).
 */
import type { DoctorProbes } from '../core/doctor/probes';

export const DOCTOR_NOW = Date.parse('2026-12-07T12:00:00Z');

export const healthyAnswers = {
  platform: 'linux',
  identity: { uid: 1000, user: 'tech', sessionGroups: ['tech', 'dialout'], dialoutMembers: ['tech'] },
  udevRule: { installed: '/etc/udev/rules.d/99-fieldline.rules', current: true },
  processes: ['systemd', 'ModemManager', 'node'],
  gatewayPorts: [{ path: '/dev/ttyACM0', vid: '1915', mmIgnore: true }],
  portHolders: [],
  executables: { brltty: null, socat: '/usr/bin/socat' },
  windowsDrivers: [],
  macSerialDevices: [],
  bluetoothAdapters: [{ name: 'hci0', powered: true }],
  capabilities: { root: false, netRaw: true, netAdmin: true },
  diskSpace: { freeBytes: 50 * 1024 ** 3, totalBytes: 200 * 1024 ** 3 },
  writeTest: null,
  chromium: '/usr/bin/chromium',
  now: DOCTOR_NOW,
  ca: { initialized: true, ready: true, notAfter: '2028-01-01T00:00:00.000Z', unlock: 'prompt' },
  registry: {
    configured: true,
    url: 'https://registry.example.com',
    health: { status: 200, date: new Date(DOCTOR_NOW).toUTCString(), sentAt: DOCTOR_NOW - 20, receivedAt: DOCTOR_NOW + 20 },
    auth: { status: 404 },
  },
  store: { quickCheck: ['ok'], audit: { ok: true, entries: 12 } },
  profiles: [{ name: 'gateway-eu', firmware: true, signingKeys: 1 }],
} as const;

type Answers = { -readonly [K in keyof typeof healthyAnswers]: unknown };

/** Probes answering `healthyAnswers`, with `overrides` put over them (a function for a probe that must throw or look at its argument). */
export function healthyProbes(overrides: Partial<DoctorProbes> = {}, dataDir = '/var/lib/fieldline'): DoctorProbes {
  const answers: Answers = healthyAnswers;
  const probes: Record<string, unknown> = { dataDir };
  for (const [name, value] of Object.entries(answers)) probes[name] = name === 'now' ? () => value : async () => structuredClone(value);
  return { ...(probes as unknown as DoctorProbes), ...overrides };
}

/** The JSON file format of FIELDLINE_DOCTOR_FAKE_PROBES: each answer as `{ value }`, `overrides` as given. */
export function fakeProbesFile(overrides: Record<string, { value: unknown } | { error: { code: string; message: string } }> = {}): string {
  const file: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(healthyAnswers)) file[name] = { value };
  return JSON.stringify({ ...file, ...overrides });
}
