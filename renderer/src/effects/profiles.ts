/** Profiles: the list, one profile's details, and importing a YAML file read here and sent as content. */
import { LIMITS } from '../../../main/contract/bounds';
import { describeError } from '../../../main/contract/errors';
import { alertsStore } from '../state/alerts';
import { profilesStore } from '../state/profiles';
import { api } from './api';
import { call } from './call';

export async function loadProfiles(): Promise<void> {
  const result = await call('List the profiles', api().invoke['profiles:list']());
  if (result.ok) profilesStore.getState().setList(result.value);
}

export async function loadProfileDetails(path: string): Promise<void> {
  const result = await call('Read the profile', api().invoke['profiles:get']({ path }));
  if (result.ok) profilesStore.getState().setDetails(result.value);
}

/** Details of the batch profile (its variables), read once. */
export async function ensureChoiceDetails(): Promise<void> {
  const { choice, details } = profilesStore.getState();
  if (choice.profilePath && !details[choice.profilePath]) await loadProfileDetails(choice.profilePath);
}

/** What an <input type=file> gives: a name and the bytes as text. */
export interface PickedFile {
  readonly name: string;
  readonly size: number;
  text(): Promise<string>;
}

async function readText(file: PickedFile, max: number, context: string): Promise<string | undefined> {
  if (file.size > max * 4) {
    alertsStore.getState().push(context, describeError('INVALID_ARGUMENT', `${file.name} is too large for a profile`));
    return undefined;
  }
  try {
    const text = await file.text();
    if (text.length <= max) return text;
    alertsStore.getState().push(context, describeError('INVALID_ARGUMENT', `${file.name} is too large for a profile`));
  } catch {
    alertsStore.getState().push(context, describeError('FILE_NOT_FOUND', file.name));
  }
  return undefined;
}

/** Imports a profile (and its detached signature, if picked). True when the station took it. */
export async function importProfile(file: PickedFile, signature: PickedFile | undefined, replace: boolean): Promise<boolean> {
  const context = `Import ${file.name}`;
  const profiles = profilesStore.getState();
  if (profiles.importing) return false;
  profiles.setImporting(true);
  try {
    const content = await readText(file, LIMITS.profileChars, context);
    if (content === undefined) return false;
    if (content.length === 0) {
      alertsStore.getState().push(context, describeError('INVALID_ARGUMENT', `${file.name} is empty`));
      return false;
    }
    const sig = signature ? await readText(signature, LIMITS.signatureChars, context) : undefined;
    if (signature && sig === undefined) return false;
    const result = await call(
      context,
      api().invoke['profiles:import']({
        fileName: file.name,
        content,
        ...(sig !== undefined ? { signature: sig } : {}),
        ...(replace ? { replace: true } : {}),
      }),
    );
    if (!result.ok) return false;
    profilesStore.getState().imported(result.value);
    await loadProfiles();
    return true;
  } finally {
    profilesStore.getState().setImporting(false);
  }
}
