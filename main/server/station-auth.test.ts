/** The station's credentials: a long-lived token, single-use tickets that expire, and the sessions both lead to. */
import { describe, expect, it } from 'vitest';
import { createStationAuth } from './station-auth';

const TOKEN = 'T0ken-for-the-line';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 5_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('station authentication', () => {
  it('takes a ticket once, within its minute, and answers a session that reconnects', () => {
    const c = clock();
    const auth = createStationAuth({ token: TOKEN, now: c.now });
    const { ticket, expiresAt } = auth.issueTicket();
    expect(expiresAt).toBe(c.now() + 60_000);
    expect(ticket).not.toContain(TOKEN);

    const first = auth.authenticate({ kind: 'ticket', secret: ticket }, '127.0.0.1');
    if (!first.ok) throw new Error('the ticket was refused');
    expect(auth.authenticate({ kind: 'ticket', secret: ticket }, '127.0.0.1')).toEqual({ ok: false, reason: 'wrong' });
    expect(auth.authenticate({ kind: 'session', secret: first.session }, '127.0.0.1')).toEqual({ ok: true, session: first.session });

    const late = auth.issueTicket().ticket;
    c.advance(60_000);
    expect(auth.authenticate({ kind: 'ticket', secret: late }, '127.0.0.2')).toEqual({ ok: false, reason: 'wrong' });
  });

  it('gives the token a session too; a session from nowhere or a wrong token is refused', () => {
    const auth = createStationAuth({ token: TOKEN });
    const byToken = auth.authenticate({ kind: 'token', secret: TOKEN }, '10.0.0.1');
    expect(byToken).toMatchObject({ ok: true, session: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(auth.authenticate({ kind: 'session', secret: 'made-up' }, '10.0.0.2')).toEqual({ ok: false, reason: 'wrong' });
    expect(auth.authenticate({ kind: 'token', secret: TOKEN + 'x' }, '10.0.0.2')).toEqual({ ok: false, reason: 'wrong' });
    // A credential of one kind is not another kind.
    expect(auth.authenticate({ kind: 'ticket', secret: TOKEN }, '10.0.0.3')).toEqual({ ok: false, reason: 'wrong' });
  });

  it('ends sessions after their time', () => {
    const c = clock();
    const auth = createStationAuth({ token: TOKEN, now: c.now, sessionMs: 1000 });
    const byToken = auth.authenticate({ kind: 'token', secret: TOKEN }, '10.0.0.1');
    if (!byToken.ok) throw new Error('refused');
    c.advance(1000);
    expect(auth.authenticate({ kind: 'session', secret: byToken.session }, '10.0.0.1')).toEqual({ ok: false, reason: 'wrong' });
  });

  it('stops checking an address that keeps guessing; the right token from another address gets in at once', () => {
    const c = clock();
    const auth = createStationAuth({ token: TOKEN, now: c.now });
    const answers = Array.from({ length: 200 }, (_, i) => auth.authenticate({ kind: 'token', secret: `guess-${i}` }, '10.0.0.66'));
    expect(answers.filter((a) => !a.ok && a.reason === 'wrong')).toHaveLength(5);
    expect(answers.slice(5).every((a) => !a.ok && a.reason === 'limited' && a.retryAfterMs === 1000)).toBe(true);
    // Locked out, the right token from the guesser's address is not even looked at.
    expect(auth.authenticate({ kind: 'token', secret: TOKEN }, '10.0.0.66')).toMatchObject({ ok: false, reason: 'limited' });
    expect(auth.authenticate({ kind: 'token', secret: TOKEN }, '10.0.0.7')).toMatchObject({ ok: true });
  });
});
