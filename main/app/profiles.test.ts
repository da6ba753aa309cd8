import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generatePublisherKey, signBytes } from '../profiles/signature';
import { createProfileLibrary, sanitizeFileName, type ProfileLibrary } from './profiles';

const EXAMPLES = join(import.meta.dirname, '../../resources/profiles');
let dataDir: string;
let library: ProfileLibrary;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fieldline-profiles-'));
  library = createProfileLibrary({ dataDir, examplesDir: EXAMPLES });
});

afterEach(async () => {
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
  });
});
