/** The screens, as real links (keyboard, middle-click, Back all work); the current one is marked for assistive tech. */
import type { JSX } from 'react';
import { useNav, type Screen } from '../state/nav';

const LINKS: ReadonlyArray<{ screen: Screen; label: string; also?: Screen[] }> = [
  { screen: 'devices', label: 'Devices' },
  { screen: 'station', label: 'Station' },
  { screen: 'runs', label: 'Runs', also: ['run', 'report'] },
  { screen: 'profiles', label: 'Profiles' },
  { screen: 'queue', label: 'Queue & sync' },
  { screen: 'drift', label: 'Service visit', also: ['device'] },
  { screen: 'doctor', label: 'Doctor' },
  { screen: 'settings', label: 'Settings' },
];

export function Nav(): JSX.Element {
  const screen = useNav((s) => s.route.screen);
  return (
    <nav className="nav" aria-label="Screens">
      <ul>
        {LINKS.map((link) => {
          const current = link.screen === screen || (link.also ?? []).includes(screen);
          return (
            <li key={link.screen}>
              <a href={`#/${link.screen}`} data-testid={`nav-${link.screen}`} aria-current={current ? 'page' : undefined}>
                {link.label}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
