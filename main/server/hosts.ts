/**
 * Who may talk to the station server. Bound to loopback, only this machine can connect — but any web page this
 * machine's browser opens could try, through DNS rebinding (evil.example resolving to 127.0.0.1) or a plain
 * cross-site WebSocket. So every request's Host must name the loopback address we listen on, and a WebSocket's
 * Origin must be our own origin. Bound elsewhere, a token is required as well (station-server.ts).
 */
import { isIP } from 'node:net';

/** A bind address only this machine can reach. `0.0.0.0` and `::` listen on every interface: not loopback. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** Host header syntax: a name or address, an optional port. Anything else is refused before it is used. */
const HOST_HEADER = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;

export interface HostPolicy {
  /** The port we listen on. */
  port: number;
  /** True when bound to loopback: Host must then be a loopback name with our port. */
  loopback: boolean;
}

function splitHost(header: string): { hostname: string; port: number | undefined } {
  const match = /^(.*?)(?::([0-9]{1,5}))?$/.exec(header);
  const hostname = (match?.[1] ?? header).replace(/^\[|\]$/g, '');
  return { hostname, port: match?.[2] ? Number(match[2]) : undefined };
}

/** The Host header, if acceptable under the policy. */
export function acceptedHost(header: string | undefined, policy: HostPolicy): string | undefined {
  if (!header || !HOST_HEADER.test(header)) return undefined;
  if (!policy.loopback) return header;
  const { hostname, port } = splitHost(header);
  if (port !== policy.port) return undefined;
  return isLoopbackHost(hostname) ? header : undefined;
}

/** Same origin only: the page that opens the WebSocket must have been served by us, under this Host. */
export function sameOrigin(origin: string | undefined, host: string): boolean {
  return origin !== undefined && origin === `http://${host}`;
}
