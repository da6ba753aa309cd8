/**
 * Where the renderer is loaded from, and what counts as "the app" for navigation and the IPC sender check: the
 * packaged app's `app://fieldline/` (main/electron/renderer-files.ts), or the dev server's URL under
 * `electron-vite dev`. No electron import, so the tests run it in plain Node.
 */
export class AppLocation {
  readonly url: string;
  private readonly parsed: URL;

  constructor(url: string) {
    this.parsed = new URL(url);
    this.url = this.parsed.href;
  }

  /**
   * A custom scheme has no origin to compare (`new URL('app://fieldline/').origin` is "null", as for every non-special
   * scheme), so scheme and host are compared; the dev server is compared by origin. A `file://` URL is never the app.
   */
  contains(candidate: string): boolean {
    let url: URL;
    try {
      url = new URL(candidate);
    } catch {
      return false;
    }
    if (this.parsed.protocol === 'file:' || url.protocol === 'file:') return false;
    if (this.parsed.origin === 'null') return url.protocol === this.parsed.protocol && url.host === this.parsed.host && url.host !== '';
    return url.origin === this.parsed.origin;
  }
}
