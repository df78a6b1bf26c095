import type { Logger } from 'pino';
import type { Clock } from '@drctl/domain';
import { VimClient, type LabVcenter } from '@drctl/vsphere';

/** A raw vim25 client on a lab vCenter started with `-username u -password p`. */
export function labClient(server: LabVcenter, clock: Clock, logger: Logger): VimClient {
  return new VimClient({
    host: server.host,
    port: server.port,
    username: 'u',
    password: 'p',
    caPem: server.certPem,
    clock,
    logger,
  });
}
