import { describe, expect, it } from '@jest/globals';
import { DrError } from '@drctl/domain';
import { measureStorageThroughput } from '../../src/index.js';

describe('the storage throughput benchmark (adapter + DSM simulator, real HTTPS, real time)', () => {
  it("reports commands per second at 5 in flight and the adapter's cost against a bare undici request", async () => {
    const result = await measureStorageThroughput({
      commands: 30,
      concurrency: 5,
      latencyCommands: 6,
      baselineRequests: 30,
    });
    expect(result).toMatchObject({ commands: 30, concurrency: 5 });
    expect(result.commandsPerSecond).toBeGreaterThan(0);
    expect(result.commandsPerSecond).toBeCloseTo((30 / result.elapsedMs) * 1000, 0);
    // A command reads the array, acts and polls DSM's AsyncTask: several exchanges each.
    expect(result.requestsPerCommand).toBeGreaterThan(3);
    expect(result.bareRequestMs).toBeGreaterThan(0);
    expect(result.overheadRatio).toBeCloseTo(result.adapterMsPerCommand / result.bareRequestMs, 0);
    expect(result.perRequestOverheadRatio).toBeGreaterThan(0);
  });

  it('refuses options that are not whole numbers, naming them', async () => {
    const error = await measureStorageThroughput({ commands: 0, concurrency: 2.5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DrError);
    expect((error as DrError).issues.map((i) => i.path)).toEqual(['commands', 'concurrency']);
  });
});
