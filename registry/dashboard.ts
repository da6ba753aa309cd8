/**
 * Serves the read-only dashboard (dashboard-page.ts) at `/` on the registry's own port. The files carry no data,
 * so they are served without a token; the data comes from the authenticated JSON endpoints. A strict CSP allows
 * only this origin's script, style and fetches — no inline script, no frames, no form posts elsewhere.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DASHBOARD_CSS, DASHBOARD_HTML, DASHBOARD_JS } from './dashboard-page';

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function send(reply: FastifyReply, type: string, body: string): FastifyReply {
  return reply
    .header('content-type', `${type}; charset=utf-8`)
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-cache')
    .send(body);
}

export function dashboardRoutes(app: FastifyInstance): void {
  app.get('/', async (_request, reply) => send(reply, 'text/html', DASHBOARD_HTML));
  app.get('/dashboard.js', async (_request, reply) => send(reply, 'text/javascript', DASHBOARD_JS));
  app.get('/dashboard.css', async (_request, reply) => send(reply, 'text/css', DASHBOARD_CSS));
  // Browsers ask for it on their own; an empty answer, not a 404 in the page's console.
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).header('cache-control', 'max-age=86400').send());
}
