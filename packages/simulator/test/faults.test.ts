import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DrError, STORAGE_COMMANDS } from '@drctl/domain';
import { formatFault, parseFault, parseFaults, validateFaults, type Fault } from '../src/index.js';
import { smallEnvironment } from './fixtures.js';

function thrown(work: () => unknown): DrError {
  try {
    work();
  } catch (error) {
    if (error instanceof DrError) return error;
    throw error;
  }
  throw new Error('expected a DrError');
}

describe('parseFault', () => {
  it.each<[string, Fault]>([
    ['site-down:prod', { kind: 'site-down', site: 'prod' }],
    ['hang:failover', { kind: 'hang', command: 'failover' }],
    ['hang:syncOnce:vol-db', { kind: 'hang', command: 'syncOnce', device: 'vol-db' }],
    ['error:testFailoverStart', { kind: 'error', command: 'testFailoverStart' }],
    ['error:failover:naa.6000:lun:7', { kind: 'error', command: 'failover', device: 'naa.6000:lun:7' }],
    ['no-tools:db1', { kind: 'no-tools', vm: 'db1' }],
    ['power-on-fails:app1', { kind: 'power-on-fails', vm: 'app1' }],
    ['rescan-fails:esx-d1', { kind: 'rescan-fails', host: 'esx-d1' }],
    ['rescan-fails:esx-d1:3', { kind: 'rescan-fails', host: 'esx-d1', times: 3 }],
    ['  site-down:dr  ', { kind: 'site-down', site: 'dr' }],
  ])('parses %j', (text, fault) => {
    expect(parseFault(text)).toEqual(fault);
  });

  it.each<[string, RegExp]>([
    ['', /fault kind is missing.*expected one of site-down:SITE/],
    ['meltdown:prod', /unknown fault kind "meltdown".*expected one of .*rescan-fails:HOST\[:TIMES\]/],
    ['site-down', /site name is missing; expected site-down:SITE/],
    ['site-down:', /site name is missing/],
    ['hang', /storage command is missing; expected hang:COMMAND\[:DEVICE\]/],
    ['hang:explode', /explode is not a storage command; expected one of queryInfo, .*restoreReplication/],
    ['error:failover:', /device name is missing; expected error:COMMAND\[:DEVICE\]/],
    ['no-tools:', /VM name is missing; expected no-tools:VM/],
    ['power-on-fails', /VM name is missing; expected power-on-fails:VM/],
    ['rescan-fails:esx-d1:0', /TIMES "0" is not a whole number of at least 1; expected rescan-fails:HOST\[:TIMES\]/],
    ['rescan-fails::2', /host name is missing/],
  ])('rejects %j with a message saying what is wrong and what is expected', (text, message) => {
    const error = thrown(() => parseFault(text));
    expect(error.code).toBe('DR_INPUT_INVALID');
    expect(error.message).toMatch(message);
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]!.path).toBe('--inject');
    expect(error.issues[0]!.message).toMatch(/expected/);
  });

  it('reads what follows the last colon of a rescan fault as TIMES', () => {
    expect(thrown(() => parseFault('rescan-fails:esx-d1:twice')).message).toMatch(
      /TIMES "twice" is not a whole number/,
    );
  });

  it('property: formatFault and parseFault are inverse', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9.-]{0,12}$/);
    const command = fc.constantFrom(...STORAGE_COMMANDS);
    const fault: fc.Arbitrary<Fault> = fc.oneof(
      name.map((site) => ({ kind: 'site-down' as const, site })),
      fc.record(
        { kind: fc.constantFrom('hang' as const, 'error' as const), command },
        { requiredKeys: ['kind', 'command'] },
      ),
      fc.record({ kind: fc.constantFrom('hang' as const, 'error' as const), command, device: name }),
      name.map((vm) => ({ kind: 'no-tools' as const, vm })),
      name.map((vm) => ({ kind: 'power-on-fails' as const, vm })),
      name.map((host) => ({ kind: 'rescan-fails' as const, host })),
      fc.record({ kind: fc.constant('rescan-fails' as const), host: name, times: fc.integer({ min: 1, max: 99 }) }),
    );
    fc.assert(fc.property(fault, (f) => expect(parseFault(formatFault(f))).toEqual(f)));
  });

  it('parses lists', () => {
    expect(parseFaults(['site-down:prod', 'no-tools:db1'])).toEqual([
      { kind: 'site-down', site: 'prod' },
      { kind: 'no-tools', vm: 'db1' },
    ]);
  });
});

describe('validateFaults', () => {
  const env = smallEnvironment();

  it('accepts names the environment has', () => {
    expect(() =>
      validateFaults(
        env,
        parseFaults([
          'site-down:prod',
          'hang:failover:vol-db',
          'error:syncOnce',
          'no-tools:db1',
          'power-on-fails:app1',
          'rescan-fails:esx-d1:2',
        ]),
      ),
    ).not.toThrow();
  });

  it('names every unknown site, VM, host and device', () => {
    const error = thrown(() =>
      validateFaults(
        env,
        parseFaults(['site-down:moon', 'hang:failover:vol-x', 'no-tools:ghost', 'rescan-fails:esx-zz']),
      ),
    );
    expect(error.code).toBe('DR_INPUT_INVALID');
    expect(error.issues.map((i) => i.path)).toEqual(['--inject', '--inject', '--inject', '--inject']);
    expect(error.issues.map((i) => i.message)).toEqual([
      'site-down:moon: unknown site moon (known: prod, dr)',
      'hang:failover:vol-x: unknown device vol-x (known: vol-db, vol-app, vol-lv)',
      'no-tools:ghost: unknown VM ghost (known: db1, app1, app2, web1)',
      'rescan-fails:esx-zz: unknown host esx-zz (known: esx-p1, esx-p2, esx-d1, esx-d2)',
    ]);
  });
});
