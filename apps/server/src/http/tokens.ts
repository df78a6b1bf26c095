import { createHash, timingSafeEqual } from 'node:crypto';
import { DrError } from '@drctl/domain';

/** A bearer token with the name prompt answers are attributed to. */
export interface ApiToken {
  name: string;
  secret: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/**
 * Tokens from the environment: `DRCTL_API_TOKENS="alice:secret1,bob:secret2"` (named), and/or
 * `DRCTL_API_TOKEN=secret` (named `default`). Throws DR_INPUT_INVALID naming the variable for a
 * malformed or duplicate entry; returns an empty list when neither is set.
 */
export function tokensFromEnv(env: NodeJS.ProcessEnv = process.env): ApiToken[] {
  const tokens: ApiToken[] = [];
  const named = env['DRCTL_API_TOKENS'];
  if (named !== undefined && named.trim() !== '') {
    named.split(',').forEach((entry, i) => {
      const colon = entry.indexOf(':');
      const name = colon < 0 ? '' : entry.slice(0, colon).trim();
      const secret = colon < 0 ? '' : entry.slice(colon + 1).trim();
      if (!NAME.test(name) || secret === '') {
        throw new DrError('DR_INPUT_INVALID', 'DRCTL_API_TOKENS must be a comma-separated list of name:secret.', {
          issues: [
            { path: `DRCTL_API_TOKENS[${i}]`, message: 'expected name:secret (name: letters, digits, . _ @ -)' },
          ],
        });
      }
      tokens.push({ name, secret });
    });
  }
  const single = env['DRCTL_API_TOKEN'];
  if (single !== undefined && single.trim() !== '') tokens.push({ name: 'default', secret: single.trim() });
  checkTokens(tokens, 'DRCTL_API_TOKENS');
  return tokens;
}

/** Shortest secret accepted: a guessable one-character token is refused. */
export const MIN_SECRET_LENGTH = 6;

/** Refuses an empty list, empty or short secrets and duplicate names or secrets. */
export function checkTokens(tokens: readonly ApiToken[], path = 'tokens'): void {
  if (tokens.length === 0) {
    throw new DrError(
      'DR_INPUT_INVALID',
      'The API needs at least one token: set DRCTL_API_TOKEN or DRCTL_API_TOKENS.',
      { issues: [{ path, message: 'no token given' }] },
    );
  }
  const names = new Set<string>();
  const secrets = new Set<string>();
  tokens.forEach((t, i) => {
    if (!NAME.test(t.name))
      throw new DrError('DR_INPUT_INVALID', `Token name ${JSON.stringify(t.name)} is not valid.`, {
        issues: [{ path: `${path}[${i}].name`, message: 'letters, digits, . _ @ - (up to 64)' }],
      });
    if (t.secret === '')
      throw new DrError('DR_INPUT_INVALID', `Token ${t.name} has an empty secret.`, {
        issues: [{ path: `${path}[${i}].secret`, message: 'must not be empty' }],
      });
    if (names.has(t.name))
      throw new DrError('DR_INPUT_INVALID', `Token name ${t.name} is given twice.`, {
        issues: [{ path: `${path}[${i}].name`, message: 'duplicate name' }],
      });
    if (secrets.has(t.secret))
      throw new DrError('DR_INPUT_INVALID', `Token ${t.name} reuses another token's secret.`, {
        issues: [{ path: `${path}[${i}].secret`, message: 'duplicate secret' }],
      });
    names.add(t.name);
    secrets.add(t.secret);
  });
  // After the duplicate checks, so those are reported as such.
  tokens.forEach((t, i) => {
    if (t.secret.length < MIN_SECRET_LENGTH)
      throw new DrError(
        'DR_INPUT_INVALID',
        `Token ${t.name} is too short: give at least ${MIN_SECRET_LENGTH} characters (32 random ones are better).`,
        { issues: [{ path: `${path}[${i}].secret`, message: `shorter than ${MIN_SECRET_LENGTH} characters` }] },
      );
  });
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Checks presented tokens in constant time: both sides are hashed to the same length, compared
 * with `timingSafeEqual`, and every known token is compared whatever matched, so neither the
 * content nor the position of a token shows in the time taken.
 */
export class TokenVerifier {
  private readonly known: Array<{ name: string; digest: Buffer }>;

  constructor(tokens: readonly ApiToken[]) {
    checkTokens(tokens);
    this.known = tokens.map((t) => ({ name: t.name, digest: digest(t.secret) }));
  }

  /** The name of the token, or undefined when it is not one of ours. */
  verify(presented: string | undefined): string | undefined {
    const candidate = digest(presented ?? '');
    let match: string | undefined;
    for (const token of this.known) {
      if (timingSafeEqual(candidate, token.digest) && presented !== undefined) match ??= token.name;
    }
    return match;
  }
}

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  return match ? match[1] : undefined;
}
