import { describe, expect, it } from '@jest/globals';
import { measureStorageRoundTrips } from '../../src/index.js';

describe('round trips of the SC Series adapter to the DSM simulator (issue 13 §2)', () => {
  it('shares reads across a command: ≤ 5.5 requests per device-command at 20 devices, reads nearly flat', async () => {
    const two = await measureStorageRoundTrips(2);
    const twenty = await measureStorageRoundTrips(20);
    expect(twenty.commands.map((c) => c.command)).toEqual([
      'syncOnce',
      'testFailoverStart',
      'testFailoverStop',
      'syncOnce',
      'prepareFailover',
      'failover',
      'prepareReverseReplication',
      'reverseReplication',
      'syncOnce',
    ]);
    // Before: 8.87 at 20 devices (every device read its own replays, volumes, mappings, servers).
    expect(twenty.requestsPerDeviceCommand).toBeLessThanOrEqual(5.5);
    expect(twenty.requestsPerDeviceCommand).toBeLessThan(two.requestsPerDeviceCommand);
    // Ten times the devices: far less than ten times the requests, and the reads grow even less.
    expect(twenty.requestsPerCommand / two.requestsPerCommand).toBeLessThan(10);
    expect(twenty.readsPerCommand / two.readsPerCommand).toBeLessThan(3);
    // A command that only checks (the old source is unpresented already) costs the same for 2 or 20.
    const prepare = (r: typeof two) => r.commands.find((c) => c.command === 'prepareReverseReplication')!.requests;
    expect(prepare(twenty)).toBe(prepare(two));
  });
});
