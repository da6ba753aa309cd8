/**
 * The service actions of a field visit on one gateway, however it is reached (a port, a BLE address): what the CLI's
 * `fieldline service` calls through the core, and what the station's device page calls through the UI wrapper
 * (station.ts). Each action answers its service record, saved and queued like a run.
 */
import type { ServiceAction } from '../../contract/run-record';
import type { ServiceResult } from '../../contract/service';
import type { DeviceTarget } from '../../device/target';
import { diagnosePlan } from './diagnose';
import { inspectDevice, type Inspection } from './inspect';
import { runServiceAction, type ActionPlan, type ServiceDeps, type ServiceOutcome, type ServiceRequest } from './record';
import { remediatePlan } from './remediate';
import { oldCertificateOf, renewPlan } from './renew';
import { updatePlan } from './update';

export type { ServiceRequest } from './record';
export type { Inspection } from './inspect';

export interface ServiceActions {
  inspect(request: { target: DeviceTarget; timeoutMs?: number }): Promise<Inspection>;
  diagnose(request: ServiceRequest): Promise<ServiceResult>;
  remediate(request: ServiceRequest): Promise<ServiceResult>;
  /** `image`: a firmware file instead of the current release's; `allowUnreleased`: one that is not a firmware release of the followed channel. */
  update(request: ServiceRequest & { image?: string; allowUnreleased?: boolean }): Promise<ServiceResult>;
  renew(request: ServiceRequest): Promise<ServiceResult>;
  /** Cancels the actions under way (each ends recorded, rolled back where it changed the device) and waits for them. */
  close(): Promise<void>;
}

type Difference = NonNullable<ServiceResult['fixed']>[number];

/** The contract's answer: the record, and what its steps found, lifted out of their evidence. */
export function serviceResult({ record, basis }: ServiceOutcome, action: ServiceAction): ServiceResult {
  const evidence = (name: string): Record<string, unknown> | undefined => record.steps.find((s) => s.name === name)?.evidence;
  const configuration = evidence('configuration');
  const old = oldCertificateOf(evidence('identity'));
  return {
    record,
    basis,
    action,
    outcome: record.outcome,
    diagnostics: record.diagnostics,
    ...(configuration ? { fixed: (configuration.fixed ?? []) as Difference[], remaining: (configuration.remaining ?? []) as Difference[] } : {}),
    ...(old ? { revokedOld: old } : {}),
  };
}

export function createServiceActions(deps: ServiceDeps): ServiceActions {
  const active = new Map<AbortController, Promise<unknown>>();
  let closed = false;
  const act = async (request: ServiceRequest, plan: ActionPlan): Promise<ServiceResult> => {
    // An action started after close would write to a closed store: a bug in the caller, not a device failure.
    if (closed) throw new Error('the core is closed: no service action can start');
    const controller = new AbortController();
    const outer = request.signal;
    const abort = (): void => controller.abort();
    if (outer?.aborted) controller.abort();
    else outer?.addEventListener('abort', abort, { once: true });
    const execution = runServiceAction(deps, { ...request, signal: controller.signal }, plan);
    active.set(controller, execution.catch(() => {}));
    try {
      return serviceResult(await execution, plan.action);
    } finally {
      active.delete(controller);
      outer?.removeEventListener('abort', abort);
    }
  };
  return {
    async close() {
      closed = true;
      for (const controller of active.keys()) controller.abort();
      await Promise.allSettled([...active.values()]);
    },
    async inspect({ target, timeoutMs }) {
      const session = await deps.openSession(target, { logger: deps.logger, ...(timeoutMs ? { timeoutMs } : {}) });
      try {
        return await inspectDevice(session, { store: deps.store(), station: deps.station, clock: deps.clock, sources: deps.sources });
      } finally {
        await session.close().catch(() => {});
      }
    },
    diagnose: (request) => act(request, diagnosePlan),
    remediate: (request) => act(request, remediatePlan),
    update: ({ image, allowUnreleased, ...request }) =>
      act(request, updatePlan({ sources: deps.sources, dataDir: deps.dataDir, ...(image ? { image } : {}), ...(allowUnreleased ? { allowUnreleased } : {}) })),
    renew: (request) => act(request, renewPlan),
  };
}
