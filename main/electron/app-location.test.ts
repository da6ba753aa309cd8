/** What counts as the app for navigation and the IPC sender check, on app:// and on the dev server. */
import { describe, expect, it } from 'vitest';
import { AppLocation } from './app-location';
import { APP_INDEX_URL } from './renderer-files';

describe('AppLocation', () => {
  it('on app://fieldline: its own pages only — never file://, another host or a web page', () => {
    const app = new AppLocation(APP_INDEX_URL);
    expect(app.contains('app://fieldline/index.html#/devices')).toBe(true);
    expect(app.contains('app://fieldline/index.html')).toBe(true);
    expect(app.contains('app://evil/index.html')).toBe(false);
    expect(app.contains('file:///tmp/out/renderer/index.html')).toBe(false);
    expect(app.contains('https://fieldline/index.html')).toBe(false);
    expect(app.contains('not a url')).toBe(false);
  });

  it('on the dev server: its origin', () => {
    const dev = new AppLocation('http://localhost:5173/');
    expect(dev.contains('http://localhost:5173/#/runs')).toBe(true);
    expect(dev.contains('http://localhost:5174/')).toBe(false);
    expect(dev.contains('app://fieldline/index.html')).toBe(false);
  });
});
