/**
 * The run's steps in order, each with its state (icon and words), timing, a progress bar with bytes/s while it
 * uploads, and its error. Each step is memoized on its own object: a progress event re-renders one step.
 */
import { memo, type JSX } from 'react';
import { STEP_ORDER } from '../../../../main/contract/run-record';
import { Badge, STEP_LOOK } from '../../components/Badge';
import { formatDuration, formatPercent, formatRate } from '../../components/format';
import type { RunView, StepView } from '../../state/run-view';
import { STEP_LABEL } from './labels';

const StepItem = memo(function StepItem({ step }: { step: StepView }): JSX.Element {
  const showBar = step.fraction !== undefined && (step.state === 'running' || step.state === 'passed');
  return (
    <li className={`step state-${step.state}`} data-testid={`step-${step.name}`} data-state={step.state}>
      <div className="step-head">
        <span className="step-name">{STEP_LABEL[step.name]}</span>
        <Badge look={STEP_LOOK[step.state]} />
        <span className="step-time">{formatDuration(step.startedAt, step.endedAt)}</span>
      </div>
      {showBar && step.fraction !== undefined && (
        <div className="step-progress">
          <progress max={1} value={step.fraction} aria-label={`${STEP_LABEL[step.name]} progress`} />
          <span className="step-rate" data-testid={`step-${step.name}-rate`}>
            {formatPercent(step.fraction)}
            {step.bytesPerSecond !== undefined && step.state === 'running' ? ` · ${formatRate(step.bytesPerSecond)}` : ''}
          </span>
        </div>
      )}
      {step.state === 'running' && step.message && <p className="step-message">{step.message}</p>}
      {step.error && (
        <p className="step-error">
          <span aria-hidden="true">✖ </span>
          {step.error.message} <span className="error-code">({step.error.code})</span>
        </p>
      )}
    </li>
  );
});

export function StepTimeline({ run }: { run: RunView }): JSX.Element {
  return (
    <section className="panel" aria-labelledby="steps-title">
      <h2 id="steps-title">Steps</h2>
      <ol className="steps" data-testid="run-steps">
        {STEP_ORDER.map((name) => (
          <StepItem key={name} step={run.steps[name]} />
        ))}
      </ol>
    </section>
  );
}
