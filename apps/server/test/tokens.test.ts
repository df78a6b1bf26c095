import { describe, expect, it } from '@jest/globals';
import { DrError } from '@drctl/domain';
import { TokenVerifier, tokensFromEnv } from '../src/index.js';

describe('API tokens', () => {
  it('reads named tokens and a single default token from the environment', () => {
    expect(tokensFromEnv({ DRCTL_API_TOKENS: 'alice:secret1, bob:secret2', DRCTL_API_TOKEN: 'secret3' })).toEqual([
      { name: 'alice', secret: 'secret1' },
      { name: 'bob', secret: 'secret2' },
      { name: 'default', secret: 'secret3' },
    ]);
    expect(tokensFromEnv({ DRCTL_API_TOKENS: 'ops:with:colons' })).toEqual([{ name: 'ops', secret: 'with:colons' }]);
  });

  it('refuses malformed, duplicate and missing tokens, naming the variable', () => {
    const issue = (env: NodeJS.ProcessEnv) => {
      try {
        tokensFromEnv(env);
      } catch (error) {
        expect(error).toBeInstanceOf(DrError);
        return (error as DrError).issues[0]!.path;
      }
      return undefined;
    };
    expect(issue({ DRCTL_API_TOKENS: 'alice:one,bob' })).toBe('DRCTL_API_TOKENS[1]');
    expect(issue({ DRCTL_API_TOKENS: 'alice:one,alice:two' })).toBe('DRCTL_API_TOKENS[1].name');
    expect(issue({ DRCTL_API_TOKENS: 'alice:same,bob:same' })).toBe('DRCTL_API_TOKENS[1].secret');
    expect(issue({})).toBe('DRCTL_API_TOKENS');
  });

  it('verifies a token to its name, and nothing else', () => {
    const verifier = new TokenVerifier([
      { name: 'alice', secret: 'secret1' },
      { name: 'bob', secret: 'secret2' },
    ]);
    expect(verifier.verify('secret2')).toBe('bob');
    expect(verifier.verify('secret1')).toBe('alice');
    for (const wrong of ['secret', 'secret12', 'SECRET1', '', undefined])
      expect(verifier.verify(wrong)).toBeUndefined();
  });
});
