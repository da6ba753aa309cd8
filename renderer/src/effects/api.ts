/**
 * The FieldlineApi the effects talk to. main.tsx hands it over once (the bridge's `api`); tests hand over a fake.
 * Components never see it: they call effect functions.
 */
import type { FieldlineApi } from '../../../main/contract/api';

let current: FieldlineApi | undefined;

export function setApi(api: FieldlineApi | undefined): void {
  current = api;
}

export function api(): FieldlineApi {
  if (!current) throw new Error('effects used before startEffects()');
  return current;
}
