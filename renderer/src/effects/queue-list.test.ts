import { beforeEach, describe, expect, it } from 'vitest';
import { setApi } from './api';
import { queueStore } from '../state/queue';
import { createFakeApi, type FakeApi } from '../testing/fake-api';
import { resetStores } from '../testing/reset';
import { RUN_A } from '../testing/samples';
import { loadWaiting, QUEUE_LIST_SHOWN } from './queue';

let fake: FakeApi;
beforeEach(() => {
  resetStores();
  fake = createFakeApi({
    'queue:list': () => ({
      entries: [{ runId: RUN_A, serial: 'GW-1', outcome: 'passed', state: 'dead', enqueuedAt: '2026-12-07T08:00:00.000Z', attempts: 3, deadReason: 'HTTP 422: serial invalid' }],
      total: 250,
    }),
  });
  setApi(fake.api);
});

describe('the Queue screen\'s list of waiting runs', () => {
  it('asks for a bounded page and keeps the total beside it', async () => {
    await loadWaiting();
    expect(fake.calls.at(-1)).toEqual({ method: 'queue:list', args: [{ limit: QUEUE_LIST_SHOWN }] });
    expect(queueStore.getState().waiting).toMatchObject({ total: 250, entries: [{ runId: RUN_A, state: 'dead', attempts: 3 }] });
  });
});
