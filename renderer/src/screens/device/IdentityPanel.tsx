/** Who the gateway is: serial, where it is connected, firmware, and its certificate with expiry and revocation. */
import type { JSX } from 'react';
import type { ServiceInspection } from '../../../../main/contract/service';
import { Badge } from '../../components/Badge';
import { formatTime } from '../../components/format';
import { expiryLook, revocationLook } from './format';

function Fact({ term, children, testId }: { term: string; children: React.ReactNode; testId?: string }): JSX.Element {
  return (
    <div className="fact">
      <dt>{term}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

export function IdentityPanel({ inspection }: { inspection: ServiceInspection }): JSX.Element {
  const cert = inspection.identity;
  return (
    <section className="panel" aria-labelledby="device-identity-title" data-testid="device-identity">
      <h2 id="device-identity-title">Identity</h2>
      <dl className="facts">
        <Fact term="Serial" testId="device-serial">
          <span className="mono">{inspection.serial}</span>
        </Fact>
        <Fact term="Connected on">
          <span className="mono">{inspection.location}</span>
        </Fact>
        <Fact term="Firmware" testId="device-firmware">
          <span className="mono">{inspection.firmware}</span>
        </Fact>
        {cert ? (
          <>
            <Fact term="Certificate subject" testId="device-cert-subject">
              <span className="mono">{cert.subject}</span>
            </Fact>
            <Fact term="Issuer">
              <span className="mono">{cert.issuer}</span>
              {cert.issuedHere ? ' (this station)' : ''}
            </Fact>
            <Fact term="Fingerprint (SHA-256)" testId="device-cert-fingerprint">
              <span className="mono">{cert.fingerprintSha256}</span>
            </Fact>
            <Fact term="Expiry" testId="device-cert-expiry">
              {formatTime(cert.notAfter)} · <Badge look={expiryLook(cert.expiresInDays)} />
            </Fact>
            <Fact term="Revocation" testId="device-cert-revoked">
              <span data-revoked={String(cert.revoked)}>
                <Badge look={revocationLook(cert)} />
              </span>
            </Fact>
          </>
        ) : (
          <Fact term="Certificate" testId="device-cert-none">
            <span className="muted">none in the identity slot (or no provisioned profile to say where it is)</span>
          </Fact>
        )}
      </dl>
    </section>
  );
}
