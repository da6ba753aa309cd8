/**
 * A state shown as icon and words, never colour alone: readable in a bright factory and by anyone who cannot tell
 * red from green. The tone only adds colour and a border style.
 */
import { memo, type JSX } from 'react';

export type Tone = 'ok' | 'bad' | 'warn' | 'busy' | 'idle';

export interface BadgeLook {
  readonly icon: string;
  readonly label: string;
  readonly tone: Tone;
}

export const DEVICE_LOOK: Record<string, BadgeLook> = {
  idle: { icon: '○', label: 'Ready', tone: 'idle' },
  provisioning: { icon: '⟳', label: 'Provisioning', tone: 'busy' },
  passed: { icon: '✔', label: 'Passed', tone: 'ok' },
  failed: { icon: '✖', label: 'Failed', tone: 'bad' },
  gone: { icon: '⚠', label: 'Unplugged', tone: 'warn' },
};

export const STEP_LOOK: Record<string, BadgeLook> = {
  pending: { icon: '○', label: 'Waiting', tone: 'idle' },
  running: { icon: '⟳', label: 'Running', tone: 'busy' },
  passed: { icon: '✔', label: 'Passed', tone: 'ok' },
  failed: { icon: '✖', label: 'Failed', tone: 'bad' },
  skipped: { icon: '–', label: 'Skipped', tone: 'idle' },
};

export const OUTCOME_LOOK: Record<string, BadgeLook> = {
  running: { icon: '⟳', label: 'Running', tone: 'busy' },
  passed: { icon: '✔', label: 'Passed', tone: 'ok' },
  failed: { icon: '✖', label: 'Failed', tone: 'bad' },
  cancelled: { icon: '⊘', label: 'Cancelled', tone: 'warn' },
  interrupted: { icon: '⚠', label: 'Interrupted', tone: 'warn' },
};

export const SIGNATURE_LOOK: Record<string, BadgeLook> = {
  trusted: { icon: '✔', label: 'Signed, trusted', tone: 'ok' },
  unsigned: { icon: '○', label: 'Unsigned', tone: 'idle' },
  untrusted: { icon: '⚠', label: 'Unknown publisher', tone: 'warn' },
  invalid: { icon: '✖', label: 'Signature invalid', tone: 'bad' },
};

export const PASS_LOOK: BadgeLook = { icon: '✔', label: 'PASS', tone: 'ok' };
export const FAIL_LOOK: BadgeLook = { icon: '✖', label: 'FAIL', tone: 'bad' };

const UNKNOWN: BadgeLook = { icon: '?', label: 'Unknown', tone: 'idle' };

export const Badge = memo(function Badge({ look, testId }: { look: BadgeLook | undefined; testId?: string }): JSX.Element {
  const { icon, label, tone } = look ?? UNKNOWN;
  return (
    <span className={`badge tone-${tone}`} data-testid={testId}>
      <span className="badge-icon" aria-hidden="true">
        {icon}
      </span>
      {label}
    </span>
  );
});
