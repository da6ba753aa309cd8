/** PATHS (main/contract/registry/api.ts): the method each answers, and the path in the router's and OpenAPI's syntax. */
import { PATHS } from '../main/contract/registry/api';

type PathKey = keyof typeof PATHS;

/** The methods each path answers (resources/registry-openapi.yaml documents exactly these; a test checks it). */
export const PATH_METHODS: Record<(typeof PATHS)[PathKey], readonly ('GET' | 'POST' | 'PUT')[]> = {
  [PATHS.health]: ['GET'],
  [PATHS.recordsBatch]: ['POST'],
  [PATHS.records]: ['GET'],
  [PATHS.record]: ['PUT'],
  [PATHS.device]: ['GET'],
  [PATHS.devices]: ['GET'],
  [PATHS.bundles]: ['POST'],
  [PATHS.stationKeys]: ['POST'],
  [PATHS.heartbeat]: ['PUT'],
  [PATHS.stations]: ['GET'],
  [PATHS.yield]: ['GET'],
  [PATHS.artifact]: ['GET', 'PUT'],
  [PATHS.releases]: ['POST'],
  [PATHS.channelReleases]: ['GET'],
  [PATHS.stationRevocations]: ['PUT'],
  [PATHS.revocations]: ['GET'],
};

/**
 * find-my-way (fastify's router) reads every `:` as the start of a parameter; a literal colon inside a segment,
 * as in Google-style custom methods (`/v1/records:batch`), is written `::`. Parameters start a segment (`/:serial`).
 */
export function routePath(path: string): string {
  return path.replace(/([^/]):/g, '$1::');
}

/** The OpenAPI form of a path: `/v1/devices/:serial` → `/v1/devices/{serial}`. */
export function openApiPath(path: string): string {
  return path.replace(/\/:([A-Za-z_][A-Za-z0-9_]*)/g, '/{$1}');
}
