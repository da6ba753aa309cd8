/**
 * The shell console: a command line with history (up/down, as a terminal), each command run once on the device
 * and its output shown as text below it. The transcript keeps to a bound, dropping the oldest commands.
 */
import { useRef, useState, type JSX } from 'react';
import type { ConsoleClient } from './console-client';
import { appendTranscript, emptyHistory, historyDown, historyUp, remember, type TranscriptEntry } from './console-state';

export function ShellPanel({ client }: { client: ConsoleClient }): JSX.Element {
  const [text, setText] = useState('');
  const [history, setHistory] = useState(emptyHistory);
  const [transcript, setTranscript] = useState<TranscriptEntry[]>([]);
  const [busy, setBusy] = useState(false);
  const ids = useRef(0);

  const submit = async (): Promise<void> => {
    const command = text.trim();
    if (!command || busy) return;
    setHistory((h) => remember(h, command));
    setText('');
    setBusy(true);
    const r = await client.run('Shell command', 'console:shell', { command });
    setBusy(false);
    const entry: TranscriptEntry = r.ok
      ? { id: ++ids.current, command, output: r.value.output, ret: r.value.ret, truncated: r.value.truncated }
      : { id: ++ids.current, command, output: `${r.error.message}\n`, ret: undefined, truncated: false };
    setTranscript((t) => appendTranscript(t, entry));
  };

  return (
    <div data-testid="console-shell">
      <div className="shell-transcript" role="log" aria-label="Shell output" data-testid="console-shell-output">
        {transcript.length === 0 && <p className="muted">Commands run on the device once each, and are recorded in the audit log.</p>}
        {transcript.map((e) => (
          <div key={e.id} className="shell-entry" data-testid="console-shell-entry" data-ret={e.ret ?? ''}>
            <pre className="mono">
              <span aria-hidden="true">$ </span>
              {e.command}
            </pre>
            <pre className="mono">{e.output}</pre>
            {e.truncated && <p className="muted">Output cut: the device printed more than the console shows.</p>}
            {e.ret !== undefined && e.ret !== 0 && <p className="muted">Returned {e.ret}.</p>}
          </div>
        ))}
      </div>
      <form
        className="form form-inline"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <div className="field">
          <label htmlFor="console-shell-input">Command</label>
          <input
            id="console-shell-input"
            type="text"
            className="mono"
            autoComplete="off"
            spellCheck={false}
            value={text}
            maxLength={1024}
            data-testid="console-shell-input"
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
              e.preventDefault();
              const moved = e.key === 'ArrowUp' ? historyUp(history, text) : historyDown(history, text);
              setHistory(moved.history);
              setText(moved.text);
            }}
          />
        </div>
        <button type="submit" className="button-primary" disabled={busy || !text.trim()} data-testid="console-shell-run">
          {busy ? 'Running…' : 'Run'}
        </button>
      </form>
    </div>
  );
}
