/**
 * The `app://` scheme the packaged renderer is served from (Electron checklist item 18). Registered as privileged
 * (standard, secure) before the app is ready, so the page gets a real origin and its module scripts load; handled
 * with protocol.handle by readRendererFile, which serves only files inside the renderer folder.
 */
import { protocol } from 'electron';
import { APP_SCHEME, readRendererFile } from './renderer-files';

/** Must run before app 'ready' (Electron's rule for registerSchemesAsPrivileged). */
export function registerAppScheme(): void {
  // corsEnabled: the built index.html loads its module script with `crossorigin`, a CORS-mode request even to its own
  // origin; no Access-Control-Allow-Origin is ever sent, so no other origin can read these files.
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);
}

/** Serves `rendererDir` on app://fieldline/; every other request on the scheme gets its status and no body. */
export function serveRenderer(rendererDir: string, onRefused: (url: string, reason: string) => void): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const answer = await readRendererFile(rendererDir, request.url);
    if (answer.status !== 200) {
      onRefused(request.url, answer.reason);
      return new Response(null, { status: answer.status });
    }
    return new Response(answer.body, { status: 200, headers: { 'content-type': answer.mimeType, 'x-content-type-options': 'nosniff' } });
  });
}
