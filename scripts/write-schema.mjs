// Regenerates docs/environment.schema.json from the zod schema (run after `pnpm build`).
// A domain test fails when the committed file is out of date.
import { writeFileSync } from 'node:fs';
import { environmentJsonSchema } from '../packages/domain/dist/index.js';

writeFileSync(
  new URL('../docs/environment.schema.json', import.meta.url),
  `${JSON.stringify(environmentJsonSchema(), null, 2)}\n`,
);
console.log('wrote docs/environment.schema.json');
