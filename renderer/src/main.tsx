/**
 * Start: the effects first (subscriptions, first loads, hash routing), then the first render. Effects live outside
 * components and are started once, here.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { api, connectionState, onConnectionState } from './bridge';
import { startRouting } from './effects/navigation';
import { startEffects } from './effects/start';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

// Routing first: the effects read the route to load what its screen needs.
startRouting(window);
startEffects(api, { connection: { current: connectionState, onChange: onConnectionState }, keys: window, idle: { activity: window } });

createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
