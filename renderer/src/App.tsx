/**
 * The frame: status strip and problems always on top, the screens' links, and the screen of the current route.
 * Focus moves to the new screen's heading on navigation, so keyboard and screen-reader users start at its top.
 */
import { useEffect, useRef, type JSX } from 'react';
import { AlertRegion } from './components/AlertRegion';
import { DoctorBanner } from './components/DoctorBanner';
import { Nav } from './components/Nav';
import { StatusBar } from './components/StatusBar';
import { routeHash, useNav, type Route } from './state/nav';
import { mustSignIn, useSession } from './state/session';
import { DevicePage } from './screens/device/DevicePage';
import { DevicesScreen } from './screens/devices/DevicesScreen';
import { DoctorScreen } from './screens/doctor/DoctorScreen';
import { DriftScreen } from './screens/drift/DriftScreen';
import { ProfilesScreen } from './screens/profiles/ProfilesScreen';
import { QueueScreen } from './screens/queue/QueueScreen';
import { RunReport } from './screens/run/RunReport';
import { RunScreen } from './screens/run/RunScreen';
import { RunsScreen } from './screens/run/RunsScreen';
import { SCREEN_TITLE_ID } from './screens/ScreenTitle';
import { SettingsScreen } from './screens/settings/SettingsScreen';
import { SignInScreen } from './screens/signin/SignInScreen';
import { OperatorView } from './screens/station/operator/OperatorView';
import { StationScreen } from './screens/station/StationScreen';

function Screen({ route }: { route: Route }): JSX.Element {
  switch (route.screen) {
    case 'devices':
      return <DevicesScreen />;
    case 'runs':
      return <RunsScreen />;
    case 'run':
      return <RunScreen key={route.runId} runId={route.runId} />;
    case 'report':
      return <RunReport key={route.runId} runId={route.runId} />;
    case 'profiles':
      return <ProfilesScreen />;
    case 'queue':
      return <QueueScreen />;
    case 'drift':
      return <DriftScreen />;
    case 'device':
      return <DevicePage key={route.deviceId} deviceId={route.deviceId} />;
    case 'doctor':
      return <DoctorScreen />;
    case 'settings':
      return <SettingsScreen />;
    case 'station':
      return <StationScreen />;
    case 'operator':
      return <OperatorView />;
  }
}

function useFocusOnNavigation(key: string): void {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById(SCREEN_TITLE_ID)?.focus();
  }, [key]);
}

export function App(): JSX.Element {
  const route = useNav((s) => s.route);
  const signIn = useSession((s) => mustSignIn(s.session));
  useFocusOnNavigation(routeHash(route));
  return (
    <>
      <button type="button" className="skip-link" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <div className="top">
        <StatusBar />
        <AlertRegion />
        {signIn ? null : <DoctorBanner />}
      </div>
      {!signIn && route.screen === 'operator' ? (
        // Full screen for the line's monitor: the tiles, the problems above them, nothing else.
        <main id="main" tabIndex={-1} className="screen-operator" data-screen="operator">
          <OperatorView />
        </main>
      ) : signIn ? (
        // A station with operators and nobody signed in here: no screen, no navigation, until someone does.
        <main id="main" tabIndex={-1} className="screen screen-signin" data-screen="signin">
          <SignInScreen />
        </main>
      ) : (
        <div className="layout">
          <Nav />
          <main id="main" tabIndex={-1} className="screen" data-screen={route.screen}>
            <Screen route={route} />
          </main>
        </div>
      )}
    </>
  );
}
