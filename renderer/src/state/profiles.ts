/**
 * Profiles: the list with signature status, details read on demand, the last import's result (problems shown in
 * place), and the batch choice — the profile and variables every Provision click uses. The choice is remembered
 * across restarts; with nothing remembered the first usable example is preselected, so a newcomer's first click can
 * be Provision.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { ProfileDetails, ProfileListItem } from '../../../main/contract/api';
import { isRecord, pageStorage, readJson, stringRecord, writeJson, type KeyValueStorage } from './persist';

export interface BatchChoice {
  readonly profilePath: string | undefined;
  /** Variables typed per profile; empty values are not sent (the profile's default applies). */
  readonly variablesByProfile: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Replace an identity the device already holds. Deliberately not remembered. */
  readonly reprovision: boolean;
}

export interface ProfilesState {
  readonly list: readonly ProfileListItem[];
  readonly loaded: boolean;
  readonly details: Readonly<Record<string, ProfileDetails>>;
  /** The profile opened on the Profiles screen. */
  readonly openPath: string | undefined;
  readonly importing: boolean;
  readonly lastImport: ProfileDetails | undefined;
  readonly choice: BatchChoice;
  setList(list: readonly ProfileListItem[]): void;
  setDetails(details: ProfileDetails): void;
  open(path: string | undefined): void;
  setImporting(on: boolean): void;
  imported(details: ProfileDetails): void;
  choose(profilePath: string): void;
  setVariable(profilePath: string, name: string, value: string): void;
  setReprovision(on: boolean): void;
}

export const CHOICE_KEY = 'fieldline.batch';

/** A profile Provision can use: it names itself and has no lint problems. */
export function usable(item: ProfileListItem): boolean {
  return item.problems === 0 && item.name !== '';
}

/** The remembered profile while it is still offered and usable; else the first usable example; else any usable. */
export function pickProfile(list: readonly ProfileListItem[], remembered: string | undefined): string | undefined {
  const ok = list.filter(usable);
  if (remembered && ok.some((p) => p.path === remembered)) return remembered;
  return (ok.find((p) => p.source === 'example') ?? ok[0])?.path;
}

/** The variables to send for the chosen profile: the typed, non-empty ones. */
export function variablesFor(choice: BatchChoice, profilePath: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(choice.variablesByProfile[profilePath] ?? {})) if (value !== '') out[name] = value;
  return out;
}

function loadChoice(storage: KeyValueStorage | undefined): BatchChoice {
  const raw = readJson(storage, CHOICE_KEY);
  const variablesByProfile: Record<string, Record<string, string>> = {};
  if (isRecord(raw) && isRecord(raw['variablesByProfile'])) {
    for (const [path, vars] of Object.entries(raw['variablesByProfile'])) variablesByProfile[path] = stringRecord(vars);
  }
  const profilePath = isRecord(raw) && typeof raw['profilePath'] === 'string' ? raw['profilePath'] : undefined;
  return { profilePath, variablesByProfile, reprovision: false };
}

export function createProfilesStore(storage: KeyValueStorage | undefined = pageStorage()) {
  const remember = (choice: BatchChoice): void =>
    writeJson(storage, CHOICE_KEY, { profilePath: choice.profilePath, variablesByProfile: choice.variablesByProfile });
  const initial = loadChoice(storage);
  /** The user's last pick: preferred whenever the list offers it usable again. */
  let rememberedPath = initial.profilePath;
  return createStore<ProfilesState>()((set) => ({
    list: [],
    loaded: false,
    details: {},
    openPath: undefined,
    importing: false,
    lastImport: undefined,
    choice: initial,
    setList: (list) =>
      set((s) => {
        const profilePath = pickProfile(list, rememberedPath);
        // An unusable remembered profile is replaced on screen but stays remembered until the user picks another.
        return { list, loaded: true, choice: profilePath === s.choice.profilePath ? s.choice : { ...s.choice, profilePath } };
      }),
    setDetails: (details) => set((s) => ({ details: { ...s.details, [details.path]: details } })),
    open: (openPath) => set({ openPath }),
    setImporting: (importing) => set({ importing }),
    imported: (details) => set((s) => ({ lastImport: details, details: { ...s.details, [details.path]: details }, openPath: details.path })),
    choose: (profilePath) =>
      set((s) => {
        const choice = { ...s.choice, profilePath };
        rememberedPath = profilePath;
        remember(choice);
        return { choice };
      }),
    setVariable: (profilePath, name, value) =>
      set((s) => {
        const vars = { ...(s.choice.variablesByProfile[profilePath] ?? {}), [name]: value };
        const choice = { ...s.choice, variablesByProfile: { ...s.choice.variablesByProfile, [profilePath]: vars } };
        remember(choice);
        return { choice };
      }),
    setReprovision: (reprovision) => set((s) => ({ choice: { ...s.choice, reprovision } })),
  }));
}

export const profilesStore = createProfilesStore();

export function useProfiles<T>(selector: (s: ProfilesState) => T): T {
  return useStore(profilesStore, selector);
}
