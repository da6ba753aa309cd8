/**
 * A complete MethodHandlers for tests of the transports (dispatch, ipcMain, WebSocket): the methods a test cares
 * about are given, every other one fails loudly as a bug, so a test never passes by calling something it did not set.
 */
import { methodNames } from '../contract/api';
import type { MethodHandlers } from '../contract/dispatch';

export function stubHandlers(given: Partial<MethodHandlers>): MethodHandlers {
  const all: Record<string, unknown> = {};
  for (const name of methodNames) {
    all[name] =
      given[name] ??
      (() => {
        throw new Error(`${name} is not stubbed in this test`);
      });
  }
  // One entry per contract method, built by the loop above.
  return all as MethodHandlers;
}
