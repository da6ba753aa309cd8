/**
 * TEST ONLY: `FIELDLINE_DOCTOR_FAKE_PROBES=<file.json>` makes `fieldline doctor` take some probes' answers from a
 * file instead of the machine, so a test can run the real command with the machine faked both ways (the doctor's
 * own unit tests fake probes in-process). It exists for main/cli/doctor.integration.test.ts; a station never sets it,
 * and the report says when it was used. The file is an object of probe name → `{"value": answer}` or
 * `{"error": {"code": "EROFS", "message": "…"}}` (thrown as a Node error with that code).
 */
import { z } from 'zod';
import { readRegularFile } from '../profiles/regular-file';
import type { DoctorProbes } from '../core/doctor/probes';
import { FieldlineError } from '../errors';

export const FAKE_PROBES_ENV = 'FIELDLINE_DOCTOR_FAKE_PROBES';

const PROBE_NAMES = [
  'platform', 'identity', 'udevRule', 'processes', 'gatewayPorts', 'portHolders', 'executables', 'windowsDrivers', 'macSerialDevices',
  'bluetoothAdapters', 'capabilities', 'diskSpace', 'writeTest', 'chromium', 'now', 'ca', 'registry', 'store', 'profiles',
] as const satisfies readonly Exclude<keyof DoctorProbes, 'dataDir'>[];

const answerSchema = z.union([
  z.object({ value: z.unknown() }).strict(),
  z.object({ error: z.object({ code: z.string().max(64), message: z.string().max(1000) }).strict() }).strict(),
]);
const fakesSchema = z.partialRecord(z.enum(PROBE_NAMES), answerSchema);

export async function fakeProbesFromEnv(real: DoctorProbes, env: NodeJS.ProcessEnv = process.env): Promise<DoctorProbes> {
  const file = env[FAKE_PROBES_ENV];
  if (!file) return real;
  let parsed: z.infer<typeof fakesSchema>;
  try {
    parsed = fakesSchema.parse(JSON.parse(Buffer.from(await readRegularFile(file, { maxBytes: 1024 * 1024, what: 'fake probes file' })).toString('utf8')));
  } catch (err) {
    if (err instanceof FieldlineError) throw err;
    throw new FieldlineError('INVALID_ARGUMENT', `${FAKE_PROBES_ENV}: ${file} is not a fake probes file (${(err as Error).message})`);
  }
  const probes: Record<string, unknown> = { ...real };
  for (const [name, answer] of Object.entries(parsed)) {
    if (!answer) continue;
    const give = (): unknown => {
      if ('error' in answer) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
      return answer.value;
    };
    probes[name] = name === 'now' ? give : async () => give();
  }
  // The faked answers are only as well-formed as the test that wrote them; the schema above checks their envelope.
  return probes as unknown as DoctorProbes;
}
