/**
 * The sign-in screen of a station with operators (issue #14): name and passphrase or PIN. Nothing else of the station
 * is shown or read until someone signs in; after the idle lock it says why it is back.
 */
import { useState, type JSX } from 'react';
import { OPERATOR_NAME_MAX, OPERATOR_SECRET_MIN } from '../../../../main/contract/operators';
import { signIn } from '../../effects/session';
import { useSession } from '../../state/session';
import { ScreenTitle } from '../ScreenTitle';

function EndedNote(): JSX.Element | null {
  const ended = useSession((s) => s.session?.ended);
  const minutes = useSession((s) => Math.round((s.session?.idleLockMs ?? 0) / 60_000));
  if (ended === undefined) return null;
  return (
    <p className="tone-warn" role="status" data-testid="signin-ended" data-ended={ended}>
      {ended === 'idle' ? `Signed out after ${minutes} minute${minutes === 1 ? '' : 's'} without activity.` : 'Signed out: this operator was disabled.'}
    </p>
  );
}

export function SignInScreen(): JSX.Element {
  const [name, setName] = useState('');
  const [secret, setSecret] = useState('');
  const signingIn = useSession((s) => s.signingIn);
  return (
    <>
      <ScreenTitle>Sign in</ScreenTitle>
      <section className="panel signin">
        <EndedNote />
        <form
          className="form"
          aria-label="Sign in"
          data-testid="signin-form"
          onSubmit={(event) => {
            event.preventDefault();
            const typed = secret;
            // The secret leaves the page's state at once, whatever the answer.
            setSecret('');
            void signIn(name, typed);
          }}
        >
          <div className="field">
            <label htmlFor="signin-name">Operator</label>
            <input
              id="signin-name"
              data-testid="signin-name"
              type="text"
              required
              maxLength={OPERATOR_NAME_MAX}
              autoComplete="username"
              spellCheck={false}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="signin-secret">Passphrase or PIN</label>
            <input
              id="signin-secret"
              data-testid="signin-secret"
              type="password"
              required
              minLength={OPERATOR_SECRET_MIN}
              maxLength={1024}
              autoComplete="current-password"
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
            />
          </div>
          <div className="actions">
            <button type="submit" className="button-primary" data-testid="signin-submit" disabled={signingIn || name.trim() === '' || secret === ''}>
              {signingIn ? 'Signing in…' : 'Sign in'}
            </button>
          </div>
        </form>
      </section>
    </>
  );
}
