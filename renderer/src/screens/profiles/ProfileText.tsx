/** The profile's YAML with line numbers, each lint problem shown under the line it is about. */
import { memo, type JSX } from 'react';
import type { ProfileProblemInfo } from '../../../../main/contract/api';

function problemsByLine(problems: readonly ProfileProblemInfo[], lineCount: number): Map<number, ProfileProblemInfo[]> {
  const map = new Map<number, ProfileProblemInfo[]>();
  for (const p of problems) {
    // Line 0 (the whole file) and lines past the end go on line 1.
    const line = p.line >= 1 && p.line <= lineCount ? p.line : 1;
    map.set(line, [...(map.get(line) ?? []), p]);
  }
  return map;
}

export const ProfileText = memo(function ProfileText({ text, problems }: { text: string; problems: readonly ProfileProblemInfo[] }): JSX.Element {
  const lines = text.split(/\r?\n/);
  const byLine = problemsByLine(problems, lines.length);
  return (
    <ol className="code" data-testid="profile-text" aria-label="Profile text">
      {lines.map((line, i) => {
        const here = byLine.get(i + 1);
        return (
          <li key={i} className={here ? 'code-line has-problem' : 'code-line'} data-line={i + 1}>
            <span className="code-number" aria-hidden="true">
              {i + 1}
            </span>
            <code className="code-text">{line === '' ? ' ' : line}</code>
            {here?.map((p, j) => (
              <p key={j} className="code-problem" data-testid="profile-problem-inline">
                <span aria-hidden="true">✖ </span>
                Line {p.line}
                {p.column ? `:${p.column}` : ''}
                {p.path ? ` ${p.path}` : ''}: {p.message}
              </p>
            ))}
          </li>
        );
      })}
    </ol>
  );
});
