/**
 * Fixture positions of a line (issue #17): a station's mapping from where a gateway is plugged in — the USB hub port
 * path, or a virtual gateway's `virtual/<serial>` — to the label an operator reads on the fixture ("A1"). Kept per
 * station in Settings; the operator view names its tiles with it instead of tty names or serials.
 */
import { z } from 'zod';
import { plainText } from './bounds';

export const FIXTURE_LIMITS = {
  /** One location as the port lister reports it (main/transport/usb-location.ts bounds it the same). */
  location: 128,
  /** A label is read at arm's length: a few characters. */
  label: 16,
  /** Positions per station: a 64-port hub several times over. */
  positions: 512,
} as const;

export const fixtureLocationSchema = plainText(FIXTURE_LIMITS.location);
export const fixtureLabelSchema = plainText(FIXTURE_LIMITS.label).refine((s) => s.trim() === s, 'must not start or end with a space');

/** location → label; two locations may not share a label (the operator could not tell the tiles apart). */
export const FixtureLabelsSchema = z
  .record(fixtureLocationSchema, fixtureLabelSchema)
  .refine((r) => Object.keys(r).length <= FIXTURE_LIMITS.positions, `at most ${FIXTURE_LIMITS.positions} fixture positions`)
  .refine((r) => new Set(Object.values(r)).size === Object.values(r).length, 'each fixture label names one position');

export type FixtureLabels = z.output<typeof FixtureLabelsSchema>;
