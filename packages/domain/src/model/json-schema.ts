import { z } from 'zod';
import { environmentSchema } from './environment.js';

/** JSON Schema of the environment file, generated from the zod schema, for editors. */
export function environmentJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(environmentSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'drctl environment',
  };
}
