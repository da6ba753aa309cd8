/**
 * Configuration: writes every rendered setting, commits and saves them (so they survive a reboot), writes every
 * file, then reads each back and compares it byte for byte; the hash over what was read back is the golden hash
 * the diagnostics check again later.
 */
import { createHash } from 'node:crypto';
import { FieldlineError } from '../../errors';
import { readConfiguration } from '../../device/read-config';
import { configurationHash } from '../../profiles/diff';
import { commitSettings, saveSettings, writeSetting } from '../../smp/groups/settings';
import { uploadFile } from '../../smp/groups/fs';
import type { RenderedProfile } from '../../profiles/template';
import type { GatewaySession } from '../../device/session';
import type { Step } from '../context';

const equal = (a: Uint8Array | undefined, b: Uint8Array): boolean => a !== undefined && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** The configuration as the device holds it, in the rendered profile's shape, hashed the same way. */
export async function deviceConfigurationHash(session: GatewaySession, rendered: RenderedProfile): Promise<string> {
  const back = await readConfiguration(session, rendered.settings.map((s) => s.name), rendered.files.map((f) => f.path));
  return configurationHash({
    ...rendered,
    settings: rendered.settings.map((s) => ({ ...s, bytes: back.settings.get(s.name) ?? new Uint8Array(0) })),
    files: rendered.files.map((f) => ({ ...f, content: back.files.get(f.path) ?? new Uint8Array(0) })),
  });
}

export const configuration: Step = async (ctx) => {
  const rendered = ctx.rendered;
  if (!rendered) throw new FieldlineError('INTERNAL', 'configuration before identify');
  const client = ctx.session.client;
  for (const s of rendered.settings) {
    ctx.written.settings.add(s.name);
    await writeSetting(client, s.name, s.bytes);
  }
  if (rendered.settings.length > 0) {
    await commitSettings(client);
    await saveSettings(client);
  }
  const buffers = await ctx.session.buffers();
  for (const f of rendered.files) {
    ctx.written.files.add(f.path);
    await uploadFile(client, f.path, f.content, buffers, { signal: ctx.signal });
  }

  const back = await readConfiguration(ctx.session, rendered.settings.map((s) => s.name), rendered.files.map((f) => f.path));
  const mismatches = [
    ...rendered.settings.filter((s) => !equal(back.settings.get(s.name), s.bytes)).map((s) => `setting ${s.name}`),
    ...rendered.files.filter((f) => !equal(back.files.get(f.path), f.content)).map((f) => `file ${f.path}`),
  ];
  if (mismatches.length > 0) throw new FieldlineError('CONFIG_MISMATCH', `read back differently: ${mismatches.join(', ')}`);
  const hash = configurationHash(rendered);
  ctx.configurationHash = hash;
  ctx.record.configurationHash = hash;
  return {
    settings: Object.fromEntries(rendered.settings.map((s) => [s.name, s.display])),
    files: Object.fromEntries(rendered.files.map((f) => [f.path, createHash('sha256').update(f.content).digest('hex')])),
    readBack: 'every value equal',
    configurationHash: hash,
  };
};
