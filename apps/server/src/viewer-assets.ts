import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The viewer's files: its own (beside src/ and dist/), and Mermaid from node_modules (no internet). */
const VIEWER_DIR = fileURLToPath(new URL('../viewer/', import.meta.url));
const require = createRequire(import.meta.url);

const FILES: Record<string, { path: () => string; type: string }> = {
  'index.html': { path: () => `${VIEWER_DIR}index.html`, type: 'text/html; charset=utf-8' },
  'app.js': { path: () => `${VIEWER_DIR}app.js`, type: 'text/javascript; charset=utf-8' },
  'app.css': { path: () => `${VIEWER_DIR}app.css`, type: 'text/css; charset=utf-8' },
  'vendor/mermaid.min.js': {
    path: () => require.resolve('mermaid/dist/mermaid.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
};

export const VIEWER_FILES = Object.keys(FILES);

const cache = new Map<string, Buffer>();

/** A viewer file's bytes and type, read once; undefined for a name that is not one of them. */
export async function viewerFile(name: string): Promise<{ body: Buffer; type: string } | undefined> {
  // Own names only: `constructor`, `__proto__` or `toString` are not files (and not the prototype's).
  if (!Object.hasOwn(FILES, name)) return undefined;
  const file = FILES[name];
  if (!file) return undefined;
  let body = cache.get(name);
  if (!body) cache.set(name, (body = await readFile(file.path())));
  return { body, type: file.type };
}
