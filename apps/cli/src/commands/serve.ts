import { resolve } from 'node:path';
import { startServer, tokensFromEnv } from '@drctl/server';
import { EXIT_CODES } from '../cli/exit-codes.js';
import { printJson, println, type CliIo } from '../cli/io.js';
import { cliLogger } from '../cli/logger.js';
import { environmentPath, MAX_SEED, wholeNumber, type CommonOptions } from '../cli/options.js';
import { stateDirFor } from '../cli/workspace-paths.js';
import { storeFlags, type WorkspaceFlags } from '../cli/workspace.js';

export interface ServeOptions extends CommonOptions, WorkspaceFlags {
  port?: string;
  host?: string;
  pace?: string;
}

/**
 * `drctl serve`: the HTTP API and the self-hosted statechart viewer on an environment, until
 * SIGINT or SIGTERM. Tokens come from DRCTL_API_TOKEN / DRCTL_API_TOKENS (name:secret,…).
 */
export async function serveCommand(io: CliIo, options: ServeOptions): Promise<number> {
  const path = environmentPath(io, options.env);
  const port = wholeNumber('--port', options.port, 0);
  const pace = wholeNumber('--pace', options.pace, 1);
  const seed = wholeNumber('--seed', options.seed, 0, MAX_SEED);
  const server = await startServer({
    environmentPath: path,
    stateDir: stateDirFor(io, path, options.stateDir),
    tokens: tokensFromEnv(io.env),
    logger: cliLogger(io),
    ...(port !== undefined ? { port } : {}),
    ...(options.host ? { host: options.host } : {}),
    ...(pace !== undefined ? { pace } : {}),
    workspace: {
      // Without --simulate: the environment file's vCenters and Data Collectors, after a preflight.
      simulate: options.simulate === true,
      ...(options.storage ? { storage: options.storage } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(options.set?.length ? { set: options.set } : {}),
      ...(options.inject?.length ? { inject: options.inject } : {}),
      ...(options.vmwareDrXml ? { vmwareDrXml: resolve(io.cwd, options.vmwareDrXml) } : {}),
      ...storeFlags(io, options),
    },
  });
  if (options.json)
    printJson(io, {
      type: 'listening',
      url: server.url,
      port: server.port,
      viewer: `${server.url}/viewer/`,
      resumed: server.resumed,
    });
  else {
    println(
      io,
      `drctl serve: API at ${server.url}/api/v1 (OpenAPI: ${server.url}/api/v1/openapi.json), viewer at ${server.url}/viewer/`,
    );
    for (const runId of server.resumed) println(io, `  resumed interrupted run ${runId}`);
    println(io, 'Ctrl-C stops the server; runs still active stay interrupted and resume at the next start.');
  }
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  if (options.json) printJson(io, { type: 'stopped' });
  else println(io, 'drctl serve: stopped.');
  return EXIT_CODES.success;
}
