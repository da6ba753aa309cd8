/**
 * What each contract method needs of the operator calling it (issue #14), and the one wrapper that makes every UI
 * call pass the core's permission check (OperatorService.authorize) before its handler runs. The Electron window
 * and the station's WebSocket sessions serve only handlers wrapped here, so a call that skips the UI — a script on
 * the WebSocket — meets the same check as a click. The UI hides what a role may not do; that is a courtesy.
 *
 * The mapped type makes a new contract method a compile error here until someone decides what it needs.
 * A run is judged as the CLI judges one (runPermission): rework needs a supervisor, and so does a profile that no
 * trusted publisher signed — unless it is one of the examples the app ships.
 */
import type { MethodHandlers } from '../contract/dispatch';
import type { MethodName, MethodParams } from '../contract/api';
import { runAction, runPermission, type Permission } from '../contract/operators';

/** What a rule may ask about a call's arguments. */
export interface RuleContext {
  /** The profile `profilePath` names is released: signed by a trusted publisher, or an example the app ships. */
  releasedProfile(profilePath: string): Promise<boolean>;
}

interface Judged {
  permission: Permission;
  action: string;
}

/**
 * Open: answered for anyone who holds the station's token (the sign-in itself, the version on the sign-in screen).
 * Else `needs` is checked first — so nobody learns anything of the arguments without it — and then, when there is a
 * `judge`, what it makes of the arguments.
 */
type Rule<N extends MethodName> = 'open' | { needs: Permission; action: string; judge?: (context: RuleContext, ...args: MethodParams<N>) => Promise<Judged> };

/**
 * A run of `profilePath`: provision, override (a profile nobody trusted signed, or one allowed past the release gate
 * with `allowUnreleased`: main/core/release-gate.ts) or rework, as runPermission says.
 */
async function judgeRun(context: RuleContext, words: string, request: { profilePath: string; allowUnreleased?: boolean }, rework: boolean): Promise<Judged> {
  if (request.allowUnreleased && !rework) return { permission: 'override', action: `${words} with an unreleased profile` };
  const run = { rework, trustedProfile: rework || (await context.releasedProfile(request.profilePath)) };
  return { permission: runPermission(run), action: runAction(words, run) };
}

/** A service call that writes a profile to a device: with `allowUnreleased`, an override. */
async function judgeService(needs: Permission, words: string, request: { allowUnreleased?: boolean }): Promise<Judged> {
  return request.allowUnreleased ? { permission: 'override', action: `${words} with an unreleased profile` } : { permission: needs, action: words };
}

// Reads need a signed-in operator of any role; technician is the least role, which 'provision' names.
const READ: Permission = 'provision';

export const METHOD_RULES: { readonly [N in MethodName]: Rule<N> } = {
  'app:version': 'open',
  'session:get': 'open',
  'session:sign-in': 'open',
  'session:sign-out': 'open',
  'session:touch': 'open',

  'ports:list': { needs: READ, action: 'list serial ports' },
  'devices:list': { needs: READ, action: 'list devices' },
  'runs:get': { needs: READ, action: 'read a run' },
  'runs:log': { needs: READ, action: 'read a run log' },
  'runs:list': { needs: READ, action: 'list runs' },
  'runs:certificate': { needs: READ, action: 'read a run' },
  'profiles:list': { needs: READ, action: 'list profiles' },
  'profiles:get': { needs: READ, action: 'read a profile' },
  'queue:status': { needs: READ, action: 'read the sync queue' },
  'queue:list': { needs: READ, action: 'list the sync queue' },
  'station:status': { needs: READ, action: 'read the station status' },
  'doctor:run': { needs: READ, action: 'check the environment (doctor)' },
  'settings:get': { needs: READ, action: 'read the settings' },
  'line:state': { needs: READ, action: 'read the line' },

  'devices:add-port': { needs: 'provision', action: 'add a serial port' },
  'devices:scan-ble': { needs: 'provision', action: 'scan for Bluetooth gateways' },
  // Replacing an identity a device already holds is rework.
  'provision:start': {
    needs: 'provision',
    action: 'provision a gateway',
    judge: (context, request) => judgeRun(context, 'provision a gateway', request, request.reprovision ?? false),
  },
  'provision:cancel': { needs: 'provision', action: 'cancel a run' },
  'line:start': {
    needs: 'provision',
    action: 'start the line',
    judge: (context, request) => judgeRun(context, 'start the line', request, Boolean(request.reprovision || request.rework)),
  },
  'line:stop': { needs: 'provision', action: 'stop the line' },
  'line:scan': { needs: 'provision', action: 'scan a barcode' },
  'line:slot-stop': { needs: 'provision', action: 'stop a slot' },
  'line:slot-start': { needs: 'provision', action: 'start a slot again' },
  'queue:sync-now': { needs: 'provision', action: 'sync the queue' },
  'settings:unlock-ca': { needs: 'ca.unlock', action: 'unlock the station CA' },

  'drift:check': { needs: 'service', action: 'check drift' },
  'drift:fix': { needs: 'service', action: 'fix drift', judge: (_context, request) => judgeService('service', 'fix drift', request) },
  'replace:start': { needs: 'service', action: 'replace a device', judge: (_context, request) => judgeService('service', 'replace a device', request) },
  'runs:print-label': { needs: 'service', action: 'print a label' },
  // Field-service actions on a connected gateway (issue #16): each is recorded as a service record.
  'service:inspect': { needs: 'service', action: 'inspect a device' },
  'service:diagnose': { needs: 'service', action: 'run diagnostics on a device' },
  'service:remediate': { needs: 'service', action: 'remediate drift on a device' },
  'service:update': { needs: 'service', action: 'update the firmware of a device' },
  'service:renew': { needs: 'service', action: 'renew the certificate of a device' },
  'queue:export-bundle': { needs: 'service', action: 'export an offline bundle' },

  'profiles:import': { needs: 'profile.import', action: 'import a profile' },

  // The device console (issue #16): reading a gateway by hand is service work too; its writes are audited.
  'console:info': { needs: 'service', action: 'read a device in the console' },
  'console:images': { needs: 'service', action: 'read a device in the console' },
  'console:fs-list': { needs: 'service', action: 'read a device in the console' },
  'console:fs-download': { needs: 'service', action: 'read a device in the console' },
  'console:fs-hash': { needs: 'service', action: 'read a device in the console' },
  'console:settings-names': { needs: 'service', action: 'read a device in the console' },
  'console:settings-get': { needs: 'service', action: 'read a device in the console' },
  'console:stats': { needs: 'service', action: 'read a device in the console' },
  'console:image': { needs: 'service', action: 'change a device\'s image slots in the console' },
  'console:fs-upload': { needs: 'service', action: 'upload a file in the console' },
  'console:settings-set': { needs: 'service', action: 'write a setting in the console' },
  'console:settings-delete': { needs: 'service', action: 'delete a setting in the console' },
  'console:settings-save': { needs: 'service', action: 'save settings in the console' },
  'console:shell': { needs: 'service', action: 'run a shell command in the console' },

  'settings:set-registry': { needs: 'registry.settings', action: 'change the registry settings' },
  'settings:set-operator': { needs: 'station.settings', action: 'change the operator name' },
  'settings:set-printer': { needs: 'station.settings', action: 'change the label printer' },
  'settings:set-ble-adapter': { needs: 'station.settings', action: 'change the Bluetooth adapter' },
  'settings:set-idle-lock': { needs: 'station.settings', action: 'change the idle lock' },
  'settings:set-fixture-labels': { needs: 'station.settings', action: 'change the fixture labels' },
  'settings:set-operator-sound': { needs: 'station.settings', action: 'change the operator view sound' },
};

/**
 * The check of one call: throws the core's refusal (PERMISSION_DENIED, OPERATOR_SIGN_IN_REQUIRED, …); answers the
 * audit actor of a signed-in operator, undefined on a station without operators (where everything is allowed).
 */
export type Authorize = (permission: Permission, action: string) => string | undefined;

type AnyHandler = (...args: readonly unknown[]) => unknown;
type AnyRule = 'open' | { needs: Permission; action: string; judge?: (context: RuleContext, ...args: readonly unknown[]) => Promise<Judged> };

/** `handlers` with `authorize` called before each one that is not open, with the arguments the contract parsed. */
export function guardHandlers(handlers: MethodHandlers, authorize: Authorize, context: RuleContext): MethodHandlers {
  const guarded: Record<string, AnyHandler> = {};
  for (const [name, handler] of Object.entries(handlers) as Array<[MethodName, AnyHandler]>) {
    // The mapped types lose the per-method link between a rule and its arguments once indexed by a union key.
    const rule = METHOD_RULES[name] as AnyRule;
    if (rule === 'open') {
      guarded[name] = handler;
      continue;
    }
    const { needs, action, judge } = rule;
    guarded[name] = judge
      ? async (...args) => {
          // Nobody signed in on a station without operators: everything is allowed, nothing to judge.
          if (authorize(needs, action) !== undefined) {
            const judged = await judge(context, ...args);
            authorize(judged.permission, judged.action);
          }
          return handler(...args);
        }
      : (...args) => {
          authorize(needs, action);
          return handler(...args);
        };
  }
  return guarded as unknown as MethodHandlers;
}
