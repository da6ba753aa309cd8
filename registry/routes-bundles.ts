/**
 * Offline bundles and the keys that sign them. A bundle is accepted only when its signature checks out
 * (parseBundle) and its key is registered to the station its manifest names: a valid signature by an unknown
 * key proves nothing about who made the records.
 */
import type { FastifyInstance } from 'fastify';
import { isFieldlineError } from '../main/errors';
import { parseBundle } from '../main/shared/bundle-format';
import { PATHS, RECORD_BOUNDS, stationKeyRequestSchema, type BatchUploadReply } from '../main/contract/registry/api';
import { stationOf } from './auth';
import { ApiError, describeZod } from './http';
import { nestsDeeperThan } from './json-text';
import { keyOwnerIn, registerKeyIn } from './keys';
import { routePath } from './paths';
import type { RegistryRepository } from './repository';

/**
 * The deepest a bundle may nest: a record's free-form JSON at its bound, below the bundle's own levels (bundle →
 * records → record → diagnostics → result → limits → expected). A record deeper than its bound but within this is
 * rejected on its own, as in a batch; deeper still, the whole file is refused before it is parsed.
 */
const BUNDLE_DEPTH = RECORD_BOUNDS.jsonDepth + 8;

export interface BundleRoutesOptions {
  repository: RegistryRepository;
  now: () => Date;
  bundleBodyBytes: number;
}

export function bundleRoutes(app: FastifyInstance, { repository, now, bundleBodyBytes }: BundleRoutesOptions): void {
  // The signature covers bytes, so the bundle route takes the body raw, whatever its content type says, and
  // leaves parsing to parseBundle. Registered in its own scope so the other routes keep the JSON parser.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: bundleBodyBytes }, (_request, body, done) => done(null, body));

    scope.post(routePath(PATHS.bundles), { bodyLimit: bundleBodyBytes }, async (request): Promise<BatchUploadReply> => {
      if (!Buffer.isBuffer(request.body)) throw new ApiError(400, 'BAD_REQUEST', 'the body must be a bundle file');
      if (nestsDeeperThan(request.body, BUNDLE_DEPTH)) throw new ApiError(400, 'BUNDLE_INVALID', `not a bundle: JSON nested deeper than ${BUNDLE_DEPTH} levels`);
      const bundle = parseBundle(request.body);
      const { manifest } = bundle;
      const owner = await keyOwnerIn(repository, manifest.keyId, manifest.publicKey);
      if (owner !== manifest.station) {
        throw new ApiError(
          403,
          'KEY_NOT_REGISTERED',
          owner === undefined
            ? `key ${manifest.keyId} is not registered; register it for station "${manifest.station}" first`
            : `key ${manifest.keyId} belongs to station "${owner}", not "${manifest.station}"`,
        );
      }
      // Credited to the station that signed the records, not to the one that carried the file here.
      return repository.storeRecords(bundle.records, manifest.station, now());
    });
  });

  app.post(routePath(PATHS.stationKeys), { bodyLimit: 16 * 1024 }, async (request) => {
    const body = stationKeyRequestSchema.safeParse(request.body);
    if (!body.success) throw new ApiError(400, 'BAD_REQUEST', `not a key request: ${describeZod(body.error, 'body')}`);
    const station = stationOf(request);
    let result;
    try {
      result = await registerKeyIn(repository, station, body.data.publicKey, now());
    } catch (err) {
      if (isFieldlineError(err, 'INVALID_ARGUMENT')) throw new ApiError(400, 'KEY_INVALID', err.message);
      throw err;
    }
    if ('conflict' in result) throw new ApiError(409, 'KEY_CONFLICT', 'this key is registered to another station');
    return result;
  });
}
