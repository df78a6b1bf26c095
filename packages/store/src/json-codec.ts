import { DrError } from '@drctl/domain';

/**
 * Both stores hold values as JSON text, so a value reads back exactly as the file store would
 * return it (a Date becomes a string, undefined fields vanish) and no caller can mutate what is
 * stored: every read parses a fresh copy.
 */
export function encodeJson(key: string, value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new DrError(
      'DR_INPUT_INVALID',
      `The value for store key ${key} cannot be written as JSON: ${(error as Error).message}.`,
      {
        cause: error,
        issues: [{ path: key, message: (error as Error).message }],
      },
    );
  }
  if (text === undefined) {
    throw new DrError(
      'DR_INPUT_INVALID',
      `The value for store key ${key} cannot be written as JSON (it is ${typeof value}).`,
      {
        issues: [{ path: key, message: `a ${typeof value} is not a JSON value` }],
      },
    );
  }
  return text;
}

export function decodeJson<T>(key: string, text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new DrError('DR_INTERNAL', `Store key ${key} holds invalid JSON (${where}).`, {
      cause: error,
      details: { key },
    });
  }
}
