import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generatePublisherKey, signBytes } from '../profiles/signature';
import { followChannel } from '../sync/release-store';
import { HOSTILE } from '../testing/hostile-profiles';
import { holdRelease } from '../testing/releases';
import { createProfileLibrary, sanitizeFileName, type ProfileLibrary } from './profiles';

const EXAMPLES = join(import.meta.dirname, '../../resources/profiles');
let dataDir: string;
let library: ProfileLibrary;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fieldline-profiles-'));
  library = createProfileLibrary({ dataDir, examplesDir: EXAMPLES });
});

afterEach(async () => {
  await library.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('sanitizeFileName', () => {
  it('keeps the last path part, harmless characters and a .yaml ending', () => {
    expect(sanitizeFileName('gateway-eu.yaml')).toBe('gateway-eu.yaml');
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd.yaml');
    expect(sanitizeFileName('C:\\Users\\me\\My Profile.YML')).toBe('My-Profile.yml');
    expect(sanitizeFileName('.hidden.yaml')).toBe('hidden.yaml');
    expect(sanitizeFileName('..')).toBe('profile.yaml');
    expect(sanitizeFileName('a'.repeat(300))).toMatch(/^a{95}\.yaml$/);
    expect(sanitizeFileName('bad\u0000name;rm -rf.yaml')).toBe('bad-name-rm--rf.yaml');
  });
});

describe('the profile library', () => {
  it('lists the examples with their signature state and problem count', async () => {
    const list = await library.list();
    expect(list.map((p) => p.fileName)).toEqual(['gateway-eu.yaml', 'gateway-inject.yaml']);
    expect(list[0]).toMatchObject({ source: 'example', name: 'gateway-eu', version: '1.0.0', signature: 'unsigned', problems: 0 });
  });

  it('imports content under a name it chooses, reports problems with lines, and refuses to overwrite unless asked', async () => {
    const text = await readFile(join(EXAMPLES, 'gateway-eu.yaml'), 'utf8');
    const saved = await library.import({ fileName: '/tmp/../gw.yaml', content: text });
    expect(saved).toMatchObject({ fileName: 'gw.yaml', source: 'data', name: 'gateway-eu', problems: 0, profile: { name: 'gateway-eu' } });
    expect(saved.path).toBe(join(dataDir, 'profiles', 'gw.yaml'));
    expect((await stat(saved.path)).mode & 0o777).toBe(0o600);
    await expect(library.import({ fileName: 'gw.yaml', content: 'x: 1\n' })).rejects.toMatchObject({ code: 'PROFILE_EXISTS' });
    const broken = await library.import({ fileName: 'gw.yaml', content: 'apiVersion: fieldline/v1\nname: Bad Name\nversion: 1\n', replace: true });
    expect(broken.problems).toBeGreaterThan(0);
    expect(broken.profile).toBeUndefined();
    expect(broken.problemList.find((p) => p.path === 'name')).toMatchObject({ line: 2 });
    await expect(library.load(broken.path)).rejects.toMatchObject({ code: 'PROFILE_INVALID' });
  });

  it('shows signatures: trusted with the key in trust/, untrusted without, invalid once the file changed', async () => {
    const key = generatePublisherKey();
    const content = await readFile(join(EXAMPLES, 'gateway-eu.yaml'), 'utf8');
    const signature = signBytes(Buffer.from(content), key.privateKeyPem);
    const imported = await library.import({ fileName: 'signed.yaml', content, signature });
    expect(imported.signature).toBe('untrusted');
    await mkdir(join(dataDir, 'trust'));
    await writeFile(join(dataDir, 'trust', 'publisher.pub.pem'), key.publicKeyPem);
    expect((await library.get(imported.path)).signature).toBe('trusted');
    await writeFile(imported.path, content + '# changed\n');
    expect((await library.get(imported.path)).signature).toBe('invalid');
    await expect(library.load(imported.path)).rejects.toMatchObject({ code: 'PROFILE_SIGNATURE' });
  });

  it('resolves only files it listed: never a path elsewhere, a non-profile, or a symlink out of the folder', async () => {
    const outside = join(dataDir, 'outside.yaml');
    await writeFile(outside, 'apiVersion: fieldline/v1\n');
    await mkdir(join(dataDir, 'profiles'), { recursive: true });
    await mkdir(join(dataDir, 'elsewhere'));
    await writeFile(join(dataDir, 'elsewhere', 'x.yaml'), 'apiVersion: fieldline/v1\n');
    await symlink(join(dataDir, 'elsewhere'), join(dataDir, 'profiles', 'link'));
    await symlink(outside, join(dataDir, 'profiles', 'linked.yaml'));
    for (const path of ['/etc/passwd', outside, join(dataDir, 'profiles', '..', 'outside.yaml'), join(dataDir, 'profiles', 'link', 'x.yaml'), join(dataDir, 'profiles', 'linked.yaml'), join(dataDir, 'profiles', 'missing.yaml'), 'gateway-eu.yaml']) {
      await expect(library.get(path), path).rejects.toMatchObject({ code: 'PROFILE_NOT_FOUND' });
    }
    expect((await library.list()).map((p) => p.fileName)).not.toContain('linked.yaml');
    const [example] = await library.list();
    await expect(library.load(example!.path)).resolves.toMatchObject({ profile: { name: 'gateway-eu' } });
  });

  it('requires signatures when the station does', async () => {
    const strict = createProfileLibrary({ dataDir, examplesDir: EXAMPLES, requireSignature: true });
    const [example] = await strict.list();
    await expect(strict.load(example!.path)).rejects.toMatchObject({ code: 'PROFILE_SIGNATURE' });
    await strict.close();
  });
});

describe('hostile profiles (issue #11)', () => {
  const EXAMPLE_NAMES = ['gateway-eu.yaml', 'gateway-inject.yaml'];

  it('refuses a billion-laughs import with a clear error, leaves no file behind, and the list still answers', async () => {
    await expect(library.import({ fileName: 'laughs.yaml', content: HOSTILE.billionLaughs() })).rejects.toMatchObject({
      code: 'PROFILE_TOO_COMPLEX',
      message: expect.stringContaining('aliases'),
    });
    expect(await readdir(join(dataDir, 'profiles'))).toEqual([]);
    expect((await library.list()).map((p) => p.fileName)).toEqual(EXAMPLE_NAMES);
  });

  it('refuses a /dev/zero image and 70,000 keys, keeping an earlier file of the same name', async () => {
    const good = await readFile(join(EXAMPLES, 'gateway-eu.yaml'), 'utf8');
    await library.import({ fileName: 'gw.yaml', content: good });
    await expect(library.import({ fileName: 'gw.yaml', content: HOSTILE.devZeroImage(), replace: true })).rejects.toMatchObject({ code: 'FILE_NOT_REGULAR' });
    await expect(library.import({ fileName: 'gw.yaml', content: HOSTILE.manyKeys(), replace: true })).rejects.toMatchObject({ code: 'PROFILE_TOO_COMPLEX' });
    expect(await readdir(join(dataDir, 'profiles'))).toEqual(['gw.yaml']);
    expect(await readFile(join(dataDir, 'profiles', 'gw.yaml'), 'utf8')).toBe(good);
  });

  it('lists a file it cannot load as invalid with its reason, never failing the list as a whole', async () => {
    const folder = join(dataDir, 'profiles');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'laughs.yaml'), HOSTILE.billionLaughs());
    await writeFile(join(folder, 'big.yaml'), HOSTILE.oversized());
    await writeFile(join(folder, 'zero.yaml'), HOSTILE.devZeroImage());
    const list = await library.list();
    expect(list.map((p) => p.fileName)).toEqual(['big.yaml', 'laughs.yaml', 'zero.yaml', ...EXAMPLE_NAMES]);
    for (const name of ['big.yaml', 'laughs.yaml', 'zero.yaml']) {
      expect(list.find((p) => p.fileName === name), name).toMatchObject({ problems: 1, signature: expect.any(String) });
    }
    const laughs = await library.get(join(folder, 'laughs.yaml'));
    expect(laughs.problemList[0]?.message).toMatch(/too large or too complex.*aliases/);
    expect(laughs.profile).toBeUndefined();
    expect((await library.get(join(folder, 'big.yaml'))).problemList[0]?.message).toMatch(/larger than allowed.*1 MiB/);
    await expect(library.load(join(folder, 'zero.yaml'))).rejects.toMatchObject({ code: 'FILE_NOT_REGULAR' });
  });

  it('never lists or opens a FIFO in its folder', async () => {
    const folder = join(dataDir, 'profiles');
    await mkdir(folder, { recursive: true });
    try {
      execFileSync('mkfifo', [join(folder, 'pipe.yaml')]);
    } catch {
      return; // no mkfifo (coreutils) here: nothing to check
    }
    expect((await library.list()).map((p) => p.fileName)).toEqual(EXAMPLE_NAMES);
    await expect(library.get(join(folder, 'pipe.yaml'))).rejects.toMatchObject({ code: 'PROFILE_NOT_FOUND' });
  });
});

describe('the profile library on a station that follows a release channel', () => {
  it('lists pulled profiles as released with their channel and version, the others as unreleased; a release runs under a signature policy', async () => {
    expect((await library.list()).every((p) => p.release === undefined)).toBe(true);
    await followChannel(dataDir, 'pilot');
    const bytes = await readFile(join(EXAMPLES, 'gateway-eu.yaml'));
    const manifest = await holdRelease(dataDir, { kind: 'profile', name: 'gateway-eu', version: '1.0.0', channel: 'pilot', bytes });
    const listed = await library.list();
    const pulled = listed.find((p) => p.source === 'release');
    expect(pulled).toMatchObject({ fileName: `${manifest.sha256}.yaml`, name: 'gateway-eu', release: { state: 'released', channel: 'pilot', version: '1.0.0' } });
    // The example's bytes are the release's too: released; an edited copy is not.
    await library.import({ fileName: 'edited.yaml', content: `${bytes.toString('utf8')}# edited\n` });
    const again = await library.list();
    expect(again.find((p) => p.fileName === 'gateway-eu.yaml')?.release).toEqual({ state: 'released', channel: 'pilot', version: '1.0.0' });
    expect(again.find((p) => p.fileName === 'edited.yaml')?.release).toEqual({ state: 'unreleased', channel: 'pilot' });

    // The pulled copy has no .sig beside it: its signature was checked when it was pulled.
    const strict = createProfileLibrary({ dataDir, examplesDir: EXAMPLES, requireSignature: true });
    try {
      expect(await strict.loadForRun(pulled!.path, {})).toMatchObject({ release: { channel: 'pilot', name: 'gateway-eu', version: '1.0.0', sha256: manifest.sha256 } });
      await expect(strict.loadForRun(again.find((p) => p.fileName === 'edited.yaml')!.path, { allowUnreleased: true })).rejects.toMatchObject({ code: 'PROFILE_SIGNATURE' });
    } finally {
      await strict.close();
    }
  });
});
