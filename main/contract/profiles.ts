/**
 * Profiles: the golden configurations this station can provision with — those imported into the data directory and
 * the examples shipped with the app — with their signature status and every lint problem at its line, so the UI can
 * show errors in place. Importing takes the file's content, never a path: the Node side picks where it is saved.
 */
import { z } from 'zod';
import { boundedList, boundedText, LIMITS, pathSchema, plainText } from './bounds';

/**
 * `trusted`: signed by a publisher key in the data directory's trust/ folder. `untrusted`: signed by a key the
 * station does not trust. `invalid`: the signature does not match the file (changed after signing) or is not ours.
 */
export const SignatureStateSchema = z.enum(['trusted', 'unsigned', 'untrusted', 'invalid']);

export const ProfileProblemSchema = z.object({
  /** Where in the profile, e.g. `settings.fieldline/site.value`; empty for the whole file. */
  path: z.string().max(LIMITS.path),
  line: z.number().int().nonnegative(),
  column: z.number().int().nonnegative(),
  message: boundedText(),
});

export const ProfileListItemSchema = z.object({
  /** The key to pass back (profiles:get, provision:start, drift:check). */
  path: pathSchema,
  /**
   * The file's name, and whether it was imported (`data`), ships with the app (`example`) or was pulled from the
   * station's release channel (`release`).
   */
  fileName: z.string().max(LIMITS.fileName),
  source: z.enum(['data', 'example', 'release']),
  /** Empty when the file is too broken to name itself. */
  name: z.string().max(LIMITS.name),
  version: z.string().max(64),
  signature: SignatureStateSchema,
  problems: z.number().int().nonnegative(),
  /**
   * On a station that follows a release channel: `released` when the file's bytes are a pulled, unrefused release of
   * it (its version as released), else `unreleased` — a run with it is refused unless allowed (an override). Absent
   * when the station follows no channel. The release gate hashes the stored release again when it is used.
   */
  release: z
    .object({ state: z.enum(['released', 'unreleased']), channel: z.string().max(64), version: z.string().max(64).optional() })
    .optional(),
});

const VariableSchema = z.object({
  name: z.string().max(64),
  description: z.string().max(LIMITS.text).optional(),
  default: z.string().max(LIMITS.variableValue).optional(),
  pattern: z.string().max(LIMITS.text).optional(),
});

/** What a technician needs to see of a valid profile; the full text is there too. */
export const ProfileSummarySchema = z.object({
  name: z.string().max(LIMITS.name),
  version: z.string().max(64),
  description: z.string().max(LIMITS.text).optional(),
  variables: boundedList(VariableSchema, 256),
  firmwareMinVersion: z.string().max(64).optional(),
  identity: z.object({ mode: z.enum(['csr', 'inject']), subject: z.string().max(LIMITS.text) }).optional(),
  settings: boundedList(z.object({ name: z.string().max(LIMITS.name), type: z.string().max(16) }), 4096),
  files: boundedList(z.string().max(LIMITS.path), 4096),
  diagnostics: boundedList(z.object({ name: z.string().max(LIMITS.name), type: z.string().max(64) }), 4096),
});

export const ProfileDetailsSchema = ProfileListItemSchema.extend({
  /** The YAML as stored, for showing problems in place. */
  text: z.string().max(LIMITS.profileChars),
  problemList: boundedList(ProfileProblemSchema),
  /** Absent when the profile has problems. */
  profile: ProfileSummarySchema.optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const profileMethods = {
  'profiles:list': {
    args: z.tuple([]),
    result: boundedList(ProfileListItemSchema, 1000),
  },
  'profiles:get': {
    args: z.tuple([z.object({ path: pathSchema }).strict()]),
    result: ProfileDetailsSchema,
  },
  /**
   * Saves a profile into `<dataDir>/profiles/` under a sanitized form of `fileName` (PROFILE_EXISTS unless
   * `replace`). A profile with problems is saved too, so its problems can be shown and fixed; it cannot be used
   * until they are.
   */
  'profiles:import': {
    args: z.tuple([
      z
        .object({
          fileName: plainText(LIMITS.fileName),
          content: z.string().min(1).max(LIMITS.profileChars),
          /** The publisher's detached signature (`<file>.sig`), when there is one. */
          signature: z.string().max(LIMITS.signatureChars).optional(),
          replace: z.boolean().optional(),
        })
        .strict(),
    ]),
    result: ProfileDetailsSchema,
  },
} as const;

export const profileEvents = {
  /** The list changed (an import); listeners call profiles:list again. */
  'profiles:changed': z.object({ count: z.number().int().nonnegative() }),
} as const;

export type SignatureState = z.output<typeof SignatureStateSchema>;
export type ProfileProblemInfo = z.output<typeof ProfileProblemSchema>;
export type ProfileListItem = z.output<typeof ProfileListItemSchema>;
export type ProfileSummary = z.output<typeof ProfileSummarySchema>;
export type ProfileDetails = z.output<typeof ProfileDetailsSchema>;
