/**
 * The technician's yes before an action writes to the device: Remediate shows the diff it will write; a firmware
 * update and a certificate renewal say what happens, and what happens when something fails.
 */
import type { JSX } from 'react';
import type { ServiceInspection } from '../../../../main/contract/service';
import { Dialog } from '../../components/Dialog';
import type { PageAction } from '../../state/device-page';
import { RemediateConfirm } from '../drift/RemediateConfirm';

interface Props {
  readonly action: PageAction;
  readonly inspection: ServiceInspection;
  onConfirm(): void;
  onClose(): void;
}

function SimpleConfirm({ title, text, button, onConfirm, onClose, testId }: { title: string; text: string; button: string; testId: string } & Omit<Props, 'action' | 'inspection'>): JSX.Element {
  return (
    <Dialog title={title} onClose={onClose} testId={`${testId}-dialog`}>
      <p>{text}</p>
      <div className="actions">
        <button type="button" className="button-primary" data-testid={testId} onClick={onConfirm}>
          {button}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}

export function ServiceConfirm({ action, inspection, onConfirm, onClose }: Props): JSX.Element | null {
  const { serial } = inspection;
  switch (action) {
    case 'remediate':
      return <RemediateConfirm serial={serial} differences={inspection.drift.provisioned?.differences ?? []} onConfirm={onConfirm} onClose={onClose} />;
    case 'update': {
      const to = inspection.release?.firmware ?? 'the current release';
      return (
        <SimpleConfirm
          title="Confirm the firmware update"
          testId="update-confirm"
          text={`Install firmware ${to} on ${serial} (now ${inspection.firmware}) in test mode, reboot, run the acceptance diagnostics, then confirm it — or let MCUboot revert to ${inspection.firmware} if they fail.`}
          button={`Update to ${to}`}
          onConfirm={onConfirm}
          onClose={onClose}
        />
      );
    }
    case 'renew':
      return (
        <SimpleConfirm
          title="Confirm the certificate renewal"
          testId="renew-confirm"
          text={`Make a new key on ${serial}, have this station's CA sign its request, install and verify the new certificate, then revoke the old one${inspection.identity?.issuedHere === false ? ' (it was not issued here, so it cannot be revoked here)' : ''}.`}
          button="Renew the certificate"
          onConfirm={onConfirm}
          onClose={onClose}
        />
      );
    case 'diagnose':
      return null;
  }
}
