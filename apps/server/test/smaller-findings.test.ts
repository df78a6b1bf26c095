import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DrError } from '@drctl/domain';
import { tokensFromEnv } from '../src/index.js';
import { ALICE, testServer } from './support/server.js';
import { removeTempDirs } from './support/environments.js';
import { call } from './support/http.js';

afterAll(removeTempDirs);

describe('issue 14 §5: the server', () => {
  let server: Awaited<ReturnType<typeof testServer>>;
  beforeAll(async () => {
    server = await testServer();
  });
  afterAll(() => server.close());

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'GET /viewer/%s is a plain 404, not the object prototype',
    async (name) => {
      const response = await call<{ error: { code: string } }>(server.url, `/viewer/${name}`);
      expect({ status: response.status, code: response.body.error.code }).toEqual({
        status: 404,
        code: 'DR_NOT_FOUND',
      });
    },
  );

  it('a 400 names a huge input without echoing it (a 5 MiB plan name answers in a few KB)', async () => {
    const plan = 'p'.repeat(5 * 1024 * 1024);
    const response = await fetch(`${server.url}/api/v1/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ALICE.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ plan, workflow: 'test' }),
    });
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(text.length).toBeLessThan(8 * 1024);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'DR_INPUT_INVALID', issues: [{ path: 'plan' }] } });
  });
});

describe('issue 14 §5: API tokens', () => {
  it('refuses a one-character secret, naming it', () => {
    let error: unknown;
    try {
      tokensFromEnv({ DRCTL_API_TOKEN: 'x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DrError);
    expect((error as DrError).issues[0]).toEqual({
      path: 'DRCTL_API_TOKENS[0].secret',
      message: 'shorter than 6 characters',
    });
  });
});
