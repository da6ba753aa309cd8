/**
 * resources/registry-openapi.yaml against the code: every path and method the registry serves is documented and
 * nothing else; the schemas are the zod schemas' JSON Schema (z.toJSONSchema), so the document cannot drift from
 * what the registry and the client check; the example record is a valid RunRecord.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRecordSchema } from '../main/contract/run-record';
import * as api from '../main/contract/registry/api';
import * as fleet from '../main/contract/registry/fleet';
import * as releases from '../main/contract/registry/releases';
import * as revocations from '../main/contract/registry/revocations';
import { buildRegistryApp } from './app';
import { SqliteRepository } from './sqlite-repository';
import { openRegistryDb, type RegistryDb } from './db';
import { openApiPath, PATH_METHODS, routePath } from './paths';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const file = fileURLToPath(new URL('../resources/registry-openapi.yaml', import.meta.url));
const doc = parse(readFileSync(file, 'utf8')) as JsonObject;
const components = doc.components as JsonObject;
const schemas = components.schemas as JsonObject;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function resolveRef(ref: string): Json {
  expect(ref.startsWith('#/'), ref).toBe(true);
  let node: Json = doc;
  for (const part of ref.slice(2).split('/')) {
    expect(node !== null && typeof node === 'object' && !Array.isArray(node) && part in node, `${ref} resolves`).toBe(true);
    node = (node as JsonObject)[part] as Json;
  }
  return node;
}

/** The schema with every $ref inlined and the words for people (description, title, examples) left out. */
function normalized(node: Json): Json {
  if (Array.isArray(node)) return node.map(normalized);
  if (node === null || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') return normalized(resolveRef(node.$ref));
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) if (!['description', 'title', 'examples', 'example'].includes(k)) out[k] = normalized(v);
  return out;
}

function zodJson(schema: z.ZodType): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as JsonObject;
  return rest;
}

function documentedOperations(): string[] {
  return Object.entries(doc.paths as JsonObject).flatMap(([path, item]) =>
    Object.keys(item as JsonObject)
      .filter((k) => METHODS.includes(k))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
}

const served = Object.entries(PATH_METHODS).flatMap(([path, methods]) => methods.map((m) => `${m} ${openApiPath(path)}`));

describe('registry-openapi.yaml', () => {
  it('is OpenAPI 3.1', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
  });

  it('documents exactly the paths and methods in PATHS', () => {
    expect(Object.keys(PATH_METHODS).sort()).toEqual(Object.values(api.PATHS).sort());
    expect(documentedOperations().sort()).toEqual(served.sort());
  });

  it('requires the bearer token everywhere but health, and documents the 401', () => {
    const scheme = (components.securitySchemes as JsonObject).stationToken as JsonObject;
    expect(scheme).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ stationToken: [] }]);
    for (const [path, item] of Object.entries(doc.paths as JsonObject)) {
      for (const [method, op] of Object.entries(item as JsonObject)) {
        const operation = op as JsonObject;
        const open = path === openApiPath(api.PATHS.health);
        expect(operation.security, `${method} ${path}`).toEqual(open ? [] : undefined);
        if (!open) expect(Object.keys(operation.responses as JsonObject), `${method} ${path}`).toContain('401');
      }
    }
  });

  it('resolves every $ref', () => {
    const walk = (node: Json): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node !== null && typeof node === 'object') {
        if (typeof node.$ref === 'string') resolveRef(node.$ref);
        Object.values(node).forEach(walk);
      }
    };
    walk(doc);
  });

  it("has the zod schemas' shapes, field for field", () => {
    const pairs: Array<[string, z.ZodType]> = [
      ['RunRecord', runRecordSchema],
      ['RegistryRunRecord', api.registryRunRecordSchema],
      ['BatchUploadRequest', api.batchUploadRequestSchema],
      ['BatchUploadReply', api.batchUploadReplySchema],
      ['RecordPutReply', api.recordPutReplySchema],
      ['StationKeyRequest', api.stationKeyRequestSchema],
      ['StationKeyReply', api.stationKeyReplySchema],
      ['BundleManifest', api.bundleManifestSchema],
      ['Bundle', api.bundleSchema],
      ['HealthReply', api.healthReplySchema],
      ['Heartbeat', fleet.heartbeatSchema],
      ['HeartbeatReply', fleet.heartbeatReplySchema],
      ['StationsReply', fleet.stationsReplySchema],
      ['YieldReply', fleet.yieldReplySchema],
      ['ReleaseManifest', releases.releaseManifestSchema],
      ['ReleaseSignature', releases.releaseSignatureSchema],
      ['PublishReleaseRequest', releases.publishReleaseRequestSchema],
      ['Release', releases.releaseSchema],
      ['PublishReleaseReply', releases.publishReleaseReplySchema],
      ['ArtifactPutReply', releases.artifactPutReplySchema],
      ['ReleasesPage', releases.releasesPageSchema],
      ['DevicesPage', api.devicesPageSchema],
      ['RevocationListUpload', revocations.revocationListUploadSchema],
      ['RevocationListPutReply', revocations.revocationListPutReplySchema],
      ['RevocationsReply', revocations.revocationsReplySchema],
    ];
    for (const [name, schema] of pairs) expect(normalized(schemas[name] as Json), name).toEqual(zodJson(schema));
  });

  it('describes DeviceRun as a RunRecord plus receivedAt and receivedFrom, as deviceRunSchema is', () => {
    const run = normalized(schemas.DeviceRun as Json) as { allOf: JsonObject[] };
    expect(run.allOf[0]).toEqual(zodJson(runRecordSchema));
    const extra = run.allOf[1] as { properties: JsonObject; required: string[] };
    const full = zodJson(api.deviceRunSchema) as { properties: JsonObject; required: string[] };
    const own = Object.keys(full.properties).filter((k) => !(k in runRecordSchema.shape));
    expect(Object.keys(extra.properties).sort()).toEqual(own.sort());
    expect(extra.required.sort()).toEqual(own.filter((k) => full.required.includes(k)).sort());
    for (const [name, zod] of [['DeviceReply', api.deviceReplySchema], ['RecordsPage', api.recordsPageSchema]] as const) {
      const keys = (s: Json): string[] => Object.keys((s as { properties: JsonObject }).properties).sort();
      expect(keys(normalized(schemas[name] as Json)), name).toEqual(keys(zodJson(zod)));
    }
  });

  it('lists exactly the error codes the registry answers with, and names each per-record rejection code', () => {
    const error = (schemas.ErrorReply as { properties: { error: { properties: { code: { enum: string[] } } } } }).properties.error;
    expect(error.properties.code.enum).toEqual([...api.REGISTRY_ERROR_CODES]);
    const rejection = (schemas.BatchUploadReply as { properties: { rejected: { items: { properties: { code: { description: string } } } } } }).properties.rejected;
    for (const code of api.RECORD_REJECTION_CODES) {
      expect(api.REGISTRY_ERROR_CODES).toContain(code);
      expect(rejection.items.properties.code.description).toContain(code);
    }
  });

  it('states the record bounds of RECORD_BOUNDS', () => {
    const text = String((doc.info as JsonObject).description).replace(/\s+/g, ' ');
    const b = api.RECORD_BOUNDS;
    expect(text).toContain(`at most ${b.jsonDepth} levels deep, with at most ${b.objectKeys} keys per object, ${b.arrayItems} items per array, ${b.stringChars} characters per string and ${b.keyChars} per key`);
    expect(text).toContain(`1–${b.serialChars}`);
    expect(text).toContain(`at most ${b.recordBytes / 1024 / 1024} MiB as stored`);
  });

  it('states the limits of LIMITS', () => {
    const op = ((doc.paths as JsonObject)[api.PATHS.records] as JsonObject).get as { parameters: Array<{ name: string; schema: JsonObject }> };
    expect(op.parameters.find((p) => p.name === 'limit')?.schema).toMatchObject({ minimum: 1, maximum: api.LIMITS.pageRecords });
    const text = JSON.stringify((doc.info as JsonObject).description);
    expect(text).toContain(`at most ${api.LIMITS.batchRecords} records and ${api.LIMITS.batchBytes / 1024 / 1024} MiB`);
    expect(text).toContain(`${api.LIMITS.bundleBytes / 1024 / 1024} MiB`);
  });

  it('has an example record that both record schemas accept, and a batch example batchUploadRequestSchema accepts', () => {
    const example = ((components.examples as JsonObject).RunRecord as JsonObject).value;
    expect(runRecordSchema.safeParse(example).error).toBeUndefined();
    expect(api.registryRunRecordSchema.safeParse(example).error).toBeUndefined();
    const batch = (doc.paths as JsonObject)[api.PATHS.recordsBatch] as { post: { requestBody: { content: { 'application/json': { examples: JsonObject } } } } };
    for (const ex of Object.values(batch.post.requestBody.content['application/json'].examples)) {
      expect(api.batchUploadRequestSchema.safeParse((ex as JsonObject).value).error).toBeUndefined();
    }
  });
});

describe('the registry app', () => {
  let db: RegistryDb;
  beforeAll(() => {
    db = openRegistryDb(':memory:');
  });
  afterAll(() => db.close());

  it('serves every documented operation', async () => {
    const app = await buildRegistryApp({ repository: new SqliteRepository(db) });
    await app.ready();
    for (const [path, methods] of Object.entries(PATH_METHODS)) {
      for (const method of methods) expect(app.hasRoute({ method, url: routePath(path) }), `${method} ${path}`).toBe(true);
    }
    await app.close();
  });
});
