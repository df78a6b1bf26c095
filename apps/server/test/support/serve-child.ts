// A drctl server in its own process: `serve-child.ts <environment> <state dir> <token>`.
// Prints `listening <url>` once it accepts requests; the restart test kills it with SIGKILL.
import { startServer } from '../../src/index.js';

const [environmentPath, stateDir, secret] = process.argv.slice(2);
const server = await startServer({
  environmentPath: environmentPath!,
  stateDir: stateDir!,
  port: 0,
  tokens: [{ name: 'child', secret: secret! }],
});
process.stdout.write(`listening ${server.url}\n`);
