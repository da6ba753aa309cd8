/**
 * Operators and roles (issue #14): who may do what at a station. The table below is the one place a permission's
 * minimum role is written; the core checks it (main/core/operators.ts) for every front end — the CLI, the station's
 * WebSocket sessions and the Electron window — so a hidden button in the UI is a courtesy, never the guard.
 *
 * Roles are ordered: a supervisor may do everything a technician may, an admin everything.
 */
import { z } from 'zod';
import { LIMITS } from './bounds';

export const OPERATOR_ROLES = ['technician', 'supervisor', 'admin'] as const;
export const OperatorRoleSchema = z.enum(OPERATOR_ROLES);
export type OperatorRole = z.infer<typeof OperatorRoleSchema>;

/**
 * Every permission, the least role that holds it, and what it covers (the words of a refusal use `action`, given by
 * the caller, e.g. "ca init"; `covers` is for help and documentation).
 */
export const PERMISSIONS = {
  /** Provision gateways (provision, batch, the line) with a trusted-signed profile or an example. */
  provision: { role: 'technician', covers: 'provision gateways (provision, batch, the line) with released or signed profiles' },
  /** Service visits: drift check and fix, device replacement, labels. */
  service: { role: 'technician', covers: 'service gateways: drift, replace, labels' },
  /** Unlock the station CA with its passphrase so runs can sign (not: change it). */
  'ca.unlock': { role: 'technician', covers: 'unlock the station CA with its passphrase' },
  /** Rework: a run that overrides identity.existing (batch --rework, the line's rework mode). */
  rework: { role: 'supervisor', covers: 'rework units (identity.existing overridden)' },
  /** Overrides: run a profile that is not signed by a trusted publisher; repair interrupted runs by hand. */
  override: { role: 'supervisor', covers: 'overrides: unsigned or untrusted profiles, repair by hand' },
  'profile.import': { role: 'supervisor', covers: 'import profiles into the station library' },
  'queue.retry': { role: 'supervisor', covers: 'retry dead-lettered registry records, import offline bundles' },
  'ca.manage': { role: 'admin', covers: 'create, import or replace the station CA' },
  'registry.settings': { role: 'admin', covers: 'registry URL and token, station registration' },
  'operators.manage': { role: 'admin', covers: 'add, list, disable operators and set their secrets' },
  'station.settings': { role: 'admin', covers: 'station settings: printer, Bluetooth adapter, idle lock time, operator name' },
} as const satisfies Record<string, { role: OperatorRole; covers: string }>;

export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_LIST = Object.keys(PERMISSIONS) as [Permission, ...Permission[]];
export const PermissionSchema = z.enum(PERMISSION_LIST);

/** The least role that holds `permission`. */
export function roleNeeded(permission: Permission): OperatorRole {
  return PERMISSIONS[permission].role;
}

export function roleRank(role: OperatorRole): number {
  return OPERATOR_ROLES.indexOf(role);
}

export function roleAllows(role: OperatorRole, permission: Permission): boolean {
  return roleRank(role) >= roleRank(roleNeeded(permission));
}

/** The permissions `role` holds, in table order (the UI hides what is not in it). */
export function permissionsOf(role: OperatorRole): Permission[] {
  return PERMISSION_LIST.filter((p) => roleAllows(role, p));
}

/**
 * What starting a run needs: a rework (identity.existing overridden) is a supervisor's, so is a profile that no trusted
 * publisher signed (an override); a trusted-signed profile is a technician's.
 */
export function runPermission(run: { rework: boolean; trustedProfile: boolean }): Permission {
  if (run.rework) return 'rework';
  return run.trustedProfile ? 'provision' : 'override';
}

/** The words of a refusal of a run: what was asked, as runPermission judged it. */
export function runAction(command: string, run: { rework: boolean; trustedProfile: boolean }): string {
  if (run.rework) return `${command} as a rework`;
  return run.trustedProfile ? command : `${command} with a profile no trusted publisher signed`;
}

/** Operator names: what a technician types at a sign-in prompt; compared case-insensitively. */
export const OPERATOR_NAME_MAX = 64;
export const OperatorNameSchema = z
  .string()
  .min(1)
  .max(OPERATOR_NAME_MAX)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N}._@-]*$/u, 'letters, digits and . _ @ - only, starting with a letter or digit');

/** A passphrase or PIN: at least 4 characters (a PIN), bounded so hashing cannot be made to take long. */
export const OPERATOR_SECRET_MIN = 4;
export const OperatorSecretSchema = z.string().min(OPERATOR_SECRET_MIN).max(LIMITS.passphrase);

/** An operator as lists show it: never the hash. Times are ISO-8601 UTC. */
export const OperatorInfoSchema = z.object({
  name: OperatorNameSchema,
  role: OperatorRoleSchema,
  disabled: z.boolean(),
  createdAt: z.string().max(40),
  lastSignInAt: z.string().max(40).nullable(),
});
export type OperatorInfo = z.infer<typeof OperatorInfoSchema>;

/** Who a session is signed in as, and what that lets it do (the UI hides the rest). */
export const SignedInSchema = z.object({
  name: OperatorNameSchema,
  role: OperatorRoleSchema,
  permissions: z.array(PermissionSchema).max(PERMISSION_LIST.length),
});
export type SignedIn = z.infer<typeof SignedInSchema>;
