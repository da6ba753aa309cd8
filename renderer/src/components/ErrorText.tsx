/** An expected failure in the contract's words: what happened, and the fix where there is one. */
import type { JSX } from 'react';
import type { ErrorInfo } from '../../../main/contract/api';

export function ErrorText({ error }: { error: ErrorInfo }): JSX.Element {
  return (
    <>
      <span className="error-message">{error.message}</span>
      {error.hint && (
        <span className="error-hint">
          <strong>Fix: </strong>
          {error.hint}
        </span>
      )}
      <span className="error-code">code {error.code}</span>
    </>
  );
}
