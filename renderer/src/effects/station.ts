/** The status strip and the app's version. */
import { stationStore } from '../state/station';
import { api } from './api';
import { call } from './call';

export async function loadStation(): Promise<void> {
  const [status, version] = await Promise.all([
    call('Read the station status', api().invoke['station:status']()),
    call('Read the app version', api().invoke['app:version']()),
  ]);
  if (status.ok) stationStore.getState().setStatus(status.value);
  if (version.ok) stationStore.getState().setApp(version.value);
}
