/** Puts every store back to its first state: effect tests share the module's singleton stores. */
import { alertsStore } from '../state/alerts';
import { devicePageStore } from '../state/device-page';
import { devicesStore } from '../state/devices';
import { doctorStore } from '../state/doctor';
import { driftStore } from '../state/drift';
import { lineStore } from '../state/line';
import { navStore } from '../state/nav';
import { profilesStore } from '../state/profiles';
import { queueStore } from '../state/queue';
import { runsStore } from '../state/runs';
import { sessionStore } from '../state/session';
import { settingsStore } from '../state/settings';
import { stationStore } from '../state/station';

export function resetStores(): void {
  for (const store of [alertsStore, devicePageStore, devicesStore, doctorStore, driftStore, lineStore, navStore, profilesStore, queueStore, runsStore, sessionStore, settingsStore, stationStore] as const) {
    (store as { setState(s: unknown, replace: true): void; getInitialState(): unknown }).setState(store.getInitialState(), true);
  }
}
