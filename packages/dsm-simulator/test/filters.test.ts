import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { applyListFilter, parseListFilter, startDsmSimulator, type DsmSimulator } from '../src/index.js';
import { TestClient } from './support/client.js';
import { fixtures } from './support/fixtures.js';
import { PROTECTED_SC, RECOVERY_SC, twoSiteSeed } from './support/seeds.js';

const names = (items: Array<{ name?: string; instanceName?: string }>) =>
  items.map((i) => i.name ?? i.instanceName).sort();

describe('GetList filter parsing (dsm-rest.md §1.7)', () => {
  const items = [
    {
      instanceId: '64702.101',
      name: 'ds-app',
      scSerialNumber: 64702,
      replicationSource: true,
      configuredSize: '536870912000 Bytes',
    },
    {
      instanceId: '65495.101',
      name: 'Repl of ds-app',
      scSerialNumber: 65495,
      replicationSource: false,
      configuredSize: '536870912000 Bytes',
    },
    {
      instanceId: '64702.102',
      name: 'ds-db',
      scSerialNumber: 64702,
      replicationSource: true,
      configuredSize: '214748364800 Bytes',
    },
  ];

  it('takes the wrapped shape at API 2.2 and later, the legacy shape below', () => {
    const condition = { filterType: 'Equals', attributeName: 'scSerialNumber', attributeValue: 64702 };
    const wrapped = parseListFilter({ filter: { filterType: 'AND', filters: [condition] } }, 'wrapped');
    const legacy = parseListFilter({ filterType: 'AND', filters: [condition] }, 'legacy');
    expect(wrapped.ok && applyListFilter(items, wrapped.value).length).toBe(2);
    expect(legacy.ok && applyListFilter(items, legacy.value).length).toBe(2);
    expect(parseListFilter(fixtures.requests['LegacyPayloadFilter shape (API 2.0/2.1)'], 'legacy').ok).toBe(true);
  });

  it("refuses the other version's shape unless told to accept either", () => {
    const condition = { filterType: 'Equals', attributeName: 'name', attributeValue: 'ds-db' };
    const legacyOnNew = parseListFilter({ filterType: 'AND', filters: [condition] }, 'wrapped');
    const wrappedOnOld = parseListFilter({ filter: { filterType: 'AND', filters: [condition] } }, 'legacy');
    expect(legacyOnNew.ok).toBe(false);
    expect(wrappedOnOld.ok).toBe(false);
    expect(parseListFilter({ filterType: 'AND', filters: [condition] }, 'wrapped', true).ok).toBe(true);
  });

  it('returns everything for an empty body or {} (ucamdsm)', () => {
    for (const body of [undefined, {}]) {
      const parsed = parseListFilter(body, 'wrapped');
      expect(parsed.ok && applyListFilter(items, parsed.value)).toHaveLength(3);
    }
  });

  it('reads keys in any case (Puppet: Filter, FilterType, AttributeName) and compares leniently', () => {
    const parsed = parseListFilter(
      {
        Filter: {
          FilterType: 'AND',
          Filters: [
            { AttributeName: 'ScSerialNumber', AttributeValue: '64702', FilterType: 'equals' },
            { AttributeName: 'Name', AttributeValue: 'DS-APP', FilterType: 'Equals' },
          ],
        },
      },
      'wrapped',
    );
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(applyListFilter(items, parsed.value).map((i) => i.instanceId)).toEqual(['64702.101']);
    const booleans = parseListFilter(
      {
        filter: {
          filterType: 'AND',
          filters: [{ attributeName: 'ReplicationSource', attributeValue: 'False', filterType: 'Equals' }],
        },
      },
      'wrapped',
    );
    if (booleans.ok) expect(applyListFilter(items, booleans.value).map((i) => i.name)).toEqual(['Repl of ds-app']);
  });

  it('supports StartsWith, IncludesStr, comparisons on sizes, and OR', () => {
    const run = (filters: unknown[], filterType = 'AND') => {
      const parsed = parseListFilter({ filter: { filterType, filters } }, 'wrapped');
      if (!parsed.ok) throw new Error(parsed.message);
      return applyListFilter(items, parsed.value).map((i) => i.instanceId);
    };
    expect(run([{ attributeName: 'name', attributeValue: 'ds-', filterType: 'StartsWith' }])).toEqual([
      '64702.101',
      '64702.102',
    ]);
    expect(run([{ attributeName: 'name', attributeValue: 'of', filterType: 'IncludesStr' }])).toEqual(['65495.101']);
    expect(run([{ attributeName: 'configuredSize', attributeValue: 300 * 1024 ** 3, filterType: 'LessThan' }])).toEqual(
      ['64702.102'],
    );
    expect(
      run(
        [
          { attributeName: 'name', attributeValue: 'ds-db' },
          { attributeName: 'instanceId', attributeValue: '65495.101' },
        ],
        'OR',
      ),
    ).toEqual(['65495.101', '64702.102']);
  });

  it('names what is wrong in a bad filter', () => {
    const badType = parseListFilter(
      { filter: { filterType: 'AND', filters: [{ attributeName: 'name', attributeValue: 'x', filterType: 'Like' }] } },
      'wrapped',
    );
    expect(badType.ok ? '' : badType.message).toMatch(/filters\[0\]\.filterType "Like"/);
    const noName = parseListFilter({ filter: { filterType: 'AND', filters: [{ attributeValue: 'x' }] } }, 'wrapped');
    expect(noName.ok ? '' : noName.message).toMatch(/filters\[0\]\.attributeName/);
    const badCombine = parseListFilter({ filter: { filterType: 'XOR', filters: [] } }, 'wrapped');
    expect(badCombine.ok).toBe(false);
  });
});

describe('GetList over HTTP', () => {
  let modern: DsmSimulator;
  let legacy: DsmSimulator;
  let modernClient: TestClient;
  let legacyClient: TestClient;
  beforeAll(async () => {
    modern = await startDsmSimulator({ seed: twoSiteSeed() });
    legacy = await startDsmSimulator({ seed: twoSiteSeed(), apiVersion: '2.1', minApiVersion: '2.0' });
    modernClient = new TestClient(modern);
    legacyClient = new TestClient(legacy, '2.0');
    await modernClient.login();
    await legacyClient.login();
  });
  afterAll(async () => {
    await Promise.all([modernClient.close(), legacyClient.close()]);
    await Promise.all([modern.close(), legacy.close()]);
  });

  it('filters volumes the way find_repl_volume does (scSerialNumber, ReplicationDestination, ReplicationSource)', async () => {
    const answer = await modernClient.getList('ScVolume', [
      ['scSerialNumber', RECOVERY_SC],
      ['ReplicationDestination', true],
      ['ReplicationSource', false],
    ]);
    expect(answer.status).toBe(200);
    expect(names(answer.body)).toEqual(['Repl of ds-app', 'Repl of ds-db']);
  });

  it('matches a volume folder by Name and folderPath in the API 4 form', async () => {
    const created = await modernClient.post('StorageCenter/ScVolumeFolder', {
      Name: 'devstackvol',
      StorageCenter: PROTECTED_SC,
    });
    await modernClient.post('StorageCenter/ScVolumeFolder', {
      Name: 'fcvm',
      StorageCenter: PROTECTED_SC,
      Parent: created.body.instanceId,
    });
    const body = structuredClone(fixtures.requests['POST StorageCenter/ScVolumeFolder/GetList (API>=4 folder names)']);
    body.filter.filters[0].attributeValue = PROTECTED_SC;
    const answer = await modernClient.post('StorageCenter/ScVolumeFolder/GetList', body);
    expect(answer.body).toHaveLength(1);
    expect(answer.body[0]).toMatchObject({ name: 'fcvm', folderPath: '/devstackvol/' });
  });

  it('takes the legacy shape on an API 2.1 server and refuses the wrapped one', async () => {
    const legacyBody = {
      filterType: 'AND',
      filters: [{ attributeName: 'scSerialNumber', attributeValue: String(PROTECTED_SC), filterType: 'Equals' }],
    };
    const answer = await legacyClient.post('StorageCenter/ScVolume/GetList', legacyBody);
    expect(answer.status).toBe(200);
    expect(names(answer.body)).toEqual(['ds-app', 'ds-db', 'ds-stretched']);
    const wrapped = await legacyClient.post('StorageCenter/ScVolume/GetList', { filter: legacyBody });
    expect(wrapped.status).toBe(400);
    const legacyOnModern = await modernClient.post('StorageCenter/ScVolume/GetList', legacyBody);
    expect(legacyOnModern.status).toBe(400);
    expect(legacyOnModern.body.result).toMatch(/filter/);
  });

  it('uses legacy folder paths (no leading slash) below API 4', async () => {
    const created = await legacyClient.post('StorageCenter/ScVolumeFolder', {
      Name: 'devstackvol',
      StorageCenter: PROTECTED_SC,
    });
    await legacyClient.post('StorageCenter/ScVolumeFolder', {
      Name: 'fcvm',
      StorageCenter: PROTECTED_SC,
      Parent: created.body.instanceId,
    });
    const legacyBody = structuredClone(
      fixtures.requests['POST StorageCenter/ScVolumeFolder/GetList (legacy folder names, API<4)'].filter,
    );
    legacyBody.filters[0].attributeValue = PROTECTED_SC;
    const answer = await legacyClient.post('StorageCenter/ScVolumeFolder/GetList', legacyBody);
    expect(answer.body).toHaveLength(1);
    expect(answer.body[0].folderPath).toBe('devstackvol/');
  });

  it('finds HBAs by upper-cased name and servers by upper-cased instanceId (Cinder upper-cases both)', async () => {
    const hbas = await modernClient.getList('ScServerHba', [
      ['scSerialNumber', PROTECTED_SC],
      ['instanceName', 'IQN.1998-01.COM.VMWARE:ESX-P1'],
    ]);
    expect(hbas.body).toHaveLength(1);
    expect(hbas.body[0].server.instanceName).toBe('esx-p1');
    const servers = await modernClient.getList('ScServer', [
      ['scSerialNumber', PROTECTED_SC],
      ['instanceId', hbas.body[0].server.instanceId.toUpperCase()],
    ]);
    expect(servers.body[0].name).toBe('esx-p1');
  });

  it('returns [] when nothing matches, and every object for {}', async () => {
    expect((await modernClient.getList('ScLiveVolume', [['primaryScSerialNumber', 1]])).body).toEqual([]);
    const all = await modernClient.post('StorageCenter/ScReplicationQosNode/GetList', {});
    expect(all.body).toHaveLength(2);
  });
});
