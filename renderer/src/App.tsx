import { useEffect, type JSX } from 'react';
import { useAppStore } from './store';

export function App(): JSX.Element {
  const app = useAppStore((s) => s.app);
  const error = useAppStore((s) => s.error);
  const loadAppInfo = useAppStore((s) => s.loadAppInfo);

  useEffect(() => {
    void loadAppInfo();
  }, [loadAppInfo]);

  return (
    <main>
      <h1>Fieldline</h1>
      {app && <p data-testid="app-version">Version {app.version}</p>}
      {error && (
        <p role="alert">
          {error.message}
          {error.hint && ` — ${error.hint}`}
        </p>
      )}
    </main>
  );
}
