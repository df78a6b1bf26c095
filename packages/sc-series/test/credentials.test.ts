import { describe, it, expect } from '@jest/globals';
import { resolveDsmPassword, scSeriesConnectionFromEnvironment } from '../src/index.js';
import { environment } from './simulator-env.js';

describe('DSM credentials', () => {
  it('come from an environment variable or the first line of a file', () => {
    expect(resolveDsmPassword({ passwordEnv: 'DSM_PW' }, 'c', { DSM_PW: 's3cret' })).toBe('s3cret');
    expect(resolveDsmPassword({ passwordFile: '/run/secrets/dsm' }, 'c', {}, () => 'from-file\nignored\n')).toBe(
      'from-file',
    );
  });

  it('name the field when missing, without ever echoing a secret', () => {
    expect(() => resolveDsmPassword({ passwordEnv: 'NOPE' }, 'arrayManagers[0].connection', {})).toThrow(
      expect.objectContaining({
        code: 'DR_INPUT_INVALID',
        issues: [expect.objectContaining({ path: 'arrayManagers[0].connection.passwordEnv' })],
      }),
    );
    expect(() => resolveDsmPassword({}, 'c', {})).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: 'c.passwordEnv' })] }),
    );
    expect(() => resolveDsmPassword({ passwordFile: '/x' }, 'c', {}, () => '\n')).toThrow(/is empty/);
  });

  it('build the adapter connection from an environment file entry', () => {
    const connection = scSeriesConnectionFromEnvironment(environment(), 'dsm', { DSM_PASSWORD: 'pw' });
    expect(connection).toMatchObject({
      host: '127.0.0.1',
      port: 3033,
      username: 'Admin',
      password: 'pw',
      verifyTls: true,
      arrays: { 'sc-12': 64702, 'sc-13': 65495 },
    });
    expect(() => scSeriesConnectionFromEnvironment(environment(), 'other', {})).toThrow(/No array manager named other/);
  });
});
