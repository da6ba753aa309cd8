/** The report's probes, in the order the report shows them. Each lives in its own file beside this one. */
import type { ReliabilityProbe } from './section';

export const PROBES: ReliabilityProbe[] = [];
