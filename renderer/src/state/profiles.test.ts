import { describe, expect, it } from 'vitest';
import { profileItem } from '../testing/samples';
import type { KeyValueStorage } from './persist';
import { CHOICE_KEY, createProfilesStore, pickProfile, variablesFor } from './profiles';

function memoryStorage(initial: Record<string, string> = {}): KeyValueStorage & { data: Record<string, string> } {
  const data = { ...initial };
  return { data, getItem: (k) => data[k] ?? null, setItem: (k, v) => void (data[k] = v) };
}

const imported = profileItem('mine.yaml', { source: 'data' });
const broken = profileItem('broken.yaml', { source: 'example', problems: 2 });
const eu = profileItem('gateway-eu.yaml');
const inject = profileItem('gateway-inject.yaml');

describe('batch profile choice', () => {
  it('preselects the first usable example, so Provision is the first click', () => {
    expect(pickProfile([imported, broken, eu, inject], undefined)).toBe(eu.path);
    expect(pickProfile([imported], undefined)).toBe(imported.path);
    expect(pickProfile([broken], undefined)).toBeUndefined();
  });

  it('prefers the remembered profile while it is offered and usable', () => {
    expect(pickProfile([eu, inject], inject.path)).toBe(inject.path);
    expect(pickProfile([eu], inject.path)).toBe(eu.path);
  });

  it('remembers the profile and variables across restarts, never the reprovision flag', () => {
    const storage = memoryStorage();
    const store = createProfilesStore(storage);
    store.getState().setList([eu, inject]);
    expect(store.getState().choice.profilePath).toBe(eu.path);
    store.getState().choose(inject.path);
    store.getState().setVariable(inject.path, 'site', 'ABC-7');
    store.getState().setReprovision(true);
    expect(JSON.parse(storage.data[CHOICE_KEY] ?? '{}')).toEqual({ profilePath: inject.path, variablesByProfile: { [inject.path]: { site: 'ABC-7' } } });

    const again = createProfilesStore(storage);
    again.getState().setList([eu, inject]);
    expect(again.getState().choice).toEqual({ profilePath: inject.path, variablesByProfile: { [inject.path]: { site: 'ABC-7' } }, reprovision: false });
  });

  it('comes back to the remembered profile when it is usable again', () => {
    const store = createProfilesStore(memoryStorage());
    store.getState().setList([eu, inject]);
    store.getState().choose(inject.path);
    store.getState().setList([eu, { ...inject, problems: 1 }]);
    expect(store.getState().choice.profilePath).toBe(eu.path);
    store.getState().setList([eu, inject]);
    expect(store.getState().choice.profilePath).toBe(inject.path);
  });

  it('survives garbage in storage', () => {
    const store = createProfilesStore(memoryStorage({ [CHOICE_KEY]: '{"profilePath": 5, "variablesByProfile": {"a": {"x": 1, "y": "ok"}}}' }));
    expect(store.getState().choice).toEqual({ profilePath: undefined, variablesByProfile: { a: { y: 'ok' } }, reprovision: false });
    expect(createProfilesStore(memoryStorage({ [CHOICE_KEY]: 'not json' })).getState().choice.profilePath).toBeUndefined();
  });

  it('sends only the variables typed (empty ones take the profile default)', () => {
    const choice = { profilePath: eu.path, variablesByProfile: { [eu.path]: { site: 'ABC-1', interval: '' } }, reprovision: false };
    expect(variablesFor(choice, eu.path)).toEqual({ site: 'ABC-1' });
    expect(variablesFor(choice, inject.path)).toEqual({});
  });
});
