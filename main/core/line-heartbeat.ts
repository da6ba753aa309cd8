/** The line's open session as the station's heartbeat reports it (main/sync/heartbeat.ts): profile, since when, and its runs passed and failed. */
import type { LineSessionReport } from '../sync/heartbeat';
import type { LineService } from './line-api';

export function lineSessionReport(line: Pick<LineService, 'state'>): LineSessionReport {
  return () => {
    const state = line.state();
    if (!state.running || !state.profile || !state.startedAt) return null;
    return { profile: `${state.profile.name} ${state.profile.version}`, since: state.startedAt, passed: state.kpis.session.passed, failed: state.kpis.session.failed };
  };
}
