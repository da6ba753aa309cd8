/** Link quality: median SMP echo round-trip time over a few samples, against a maximum. */
import { echo } from '../../smp/groups/os';
import type { Check } from '../check';
import type { DiagnosticSpec } from '../../profiles/schema';

type Spec = Extract<DiagnosticSpec, { type: 'echo-rtt' }>;

export const echoRtt: Check<Spec> = async (spec, { session, clock }) => {
  const samples: number[] = [];
  for (let i = 0; i < spec.samples; i++) {
    const payload = `fieldline-rtt-${i}`;
    const t0 = clock.monotonicMs();
    const answer = await echo(session.client, payload);
    if (answer !== payload) return { passed: false, value: null, limits: { max: spec.maxMs }, unit: 'ms', detail: `echo returned "${answer}"` };
    samples.push(clock.monotonicMs() - t0);
  }
  samples.sort((a, b) => a - b);
  const median = Number((samples[Math.floor(samples.length / 2)] as number).toFixed(2));
  return { passed: median <= spec.maxMs, value: median, limits: { max: spec.maxMs }, unit: 'ms', detail: `${spec.samples} samples, max ${samples.at(-1)?.toFixed(2)} ms` };
};
