import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRegistry, type TestRegistry } from '../testing/registry';
import { bindToken } from '../sync/registry-token';
import { checkRegistry } from './registry-check';

let registry: TestRegistry;
let notARegistry: Server;
let notARegistryUrl: string;

beforeAll(async () => {
  registry = await startTestRegistry();
  // A web server that is not a registry: every path is a 404 page.
  notARegistry = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>'));
  await new Promise<void>((resolve) => notARegistry.listen(0, '127.0.0.1', resolve));
  notARegistryUrl = `http://127.0.0.1:${(notARegistry.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await registry.close();
  await new Promise((resolve) => notARegistry.close(resolve));
});

/** A loopback port nothing listens on: a server opened, then closed. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe('checkRegistry (Settings tests a registry before saving it)', () => {
  it('passes for a registry that answers and accepts the token typed', async () => {
    await expect(checkRegistry(registry.url, registry.token, undefined)).resolves.toBeUndefined();
  });

  it('uses the stored token when none is typed and it belongs to the same origin', async () => {
    await expect(checkRegistry(`${registry.url}/`, undefined, bindToken(registry.url, registry.token))).resolves.toBeUndefined();
  });

  it('says the registry refused the token', async () => {
    const failure = checkRegistry(registry.url, 'flt_not-a-token', undefined);
    await expect(failure).rejects.toMatchObject({ code: 'REGISTRY_AUTH', message: expect.stringMatching(/^nothing was saved: .* refused the station token/) });
  });

  it('says which URL did not answer', async () => {
    const url = await closedPortUrl();
    await expect(checkRegistry(url, 'flt_x', undefined)).rejects.toMatchObject({
      code: 'REGISTRY_UNREACHABLE',
      message: expect.stringContaining(`nothing was saved: ${url}/v1/health did not answer (ECONNREFUSED)`),
    });
  });

  it('says a web server that is not a registry is not one', async () => {
    await expect(checkRegistry(notARegistryUrl, 'flt_x', undefined)).rejects.toMatchObject({
      code: 'REGISTRY_BAD_REPLY',
      message: expect.stringContaining(`${notARegistryUrl} is not a Fieldline registry`),
    });
  });

  it('asks for the token when there is none for that origin (a stored one of another registry does not count)', async () => {
    await expect(checkRegistry(registry.url, undefined, bindToken('https://other.example', 'flt_x'))).rejects.toMatchObject({ code: 'REGISTRY_TOKEN_NEEDED' });
  });

  it('sends nothing over plain http to another machine', async () => {
    let asked = false;
    const spy: typeof fetch = () => {
      asked = true;
      return Promise.reject(new Error('must not be called'));
    };
    await expect(checkRegistry('http://registry.example.com', 'flt_x', undefined, { fetch: spy })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(asked).toBe(false);
  });
});
