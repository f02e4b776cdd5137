import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createStore, ensureTable } from '../../functions/store';

type DynamoArgs = {
  fields: Record<string, string>;
  primaryIndex: { hashKey: string; rangeKey?: string };
  globalIndexes: Record<string, { hashKey: string; rangeKey?: string; projection?: string }>;
  ttl: string;
  deletionProtection: boolean;
  transform: { table: (args: Record<string, unknown>) => void };
};

/**
 * Evaluates infra/table.ts with a stand-in for SST's `sst` and `$app`
 * globals that records the component's arguments (the real types are checked
 * by `npm run check:infra`; this checks the values).
 */
let evaluations = 0;
async function tableArgs(stage: string): Promise<{ name: string; args: DynamoArgs }> {
  let captured: { name: string; args: DynamoArgs } | undefined;
  Object.assign(globalThis, {
    $app: { name: 'tandem', stage },
    sst: {
      aws: {
        Dynamo: class {
          constructor(name: string, args: DynamoArgs) {
            captured = { name, args };
          }
        },
      },
    },
  });
  // A computed specifier keeps infra/ (SST globals) out of the root type-check;
  // the query makes each evaluation a fresh module instance.
  const module = `../../infra/table.ts?stage=${stage}&n=${++evaluations}`;
  await import(/* @vite-ignore */ module);
  if (!captured) throw new Error('infra/table.ts created no sst.aws.Dynamo');
  return captured;
}

describe('infra/table.ts', () => {
  const store = createStore({
    endpoint: inject('dynamodbEndpoint'),
    region: 'us-east-1',
    tableName: `tandem-infra-table-${randomUUID().slice(0, 8)}`,
  });
  beforeAll(() => ensureTable(store));

  it('declares the keys, GSIs and TTL that ensureTable creates locally', async () => {
    const { name, args } = await tableArgs('dev');
    const table = (await store.raw.send(new DescribeTableCommand({ TableName: store.tableName }))).Table!;
    const ttl = await store.raw.send(new DescribeTimeToLiveCommand({ TableName: store.tableName }));

    expect(name).toBe('Table');
    const kind = { S: 'string', N: 'number', B: 'binary' } as const;
    expect(args.fields).toEqual(
      Object.fromEntries(
        table.AttributeDefinitions!.map((a) => [a.AttributeName, kind[a.AttributeType as keyof typeof kind]]),
      ),
    );
    const keyOf = (schema: { AttributeName?: string; KeyType?: string }[]) => ({
      hashKey: schema.find((k) => k.KeyType === 'HASH')?.AttributeName,
      rangeKey: schema.find((k) => k.KeyType === 'RANGE')?.AttributeName,
    });
    expect(args.primaryIndex).toEqual(keyOf(table.KeySchema!));
    expect(args.globalIndexes).toEqual(
      Object.fromEntries(table.GlobalSecondaryIndexes!.map((g) => [g.IndexName, keyOf(g.KeySchema!)])),
    );
    // SST projects all attributes unless told otherwise, as ensureTable does.
    expect(table.GlobalSecondaryIndexes!.every((g) => g.Projection?.ProjectionType === 'ALL')).toBe(true);
    expect(Object.values(args.globalIndexes).every((g) => g.projection === undefined)).toBe(true);
    expect(args.ttl).toBe(ttl.TimeToLiveDescription?.AttributeName);
    expect(args.ttl).toBe('expires_at');
  });

  it('turns point-in-time recovery and deletion protection on for production stages only', async () => {
    for (const [stage, production] of [
      ['prod', true],
      ['production', true],
      ['dev', false],
      ['pr-42', false],
    ] as const) {
      const { args } = await tableArgs(stage);
      const tableResourceArgs: Record<string, unknown> = { pointInTimeRecovery: { enabled: true } };
      args.transform.table(tableResourceArgs);
      expect(tableResourceArgs.pointInTimeRecovery, stage).toEqual({ enabled: production });
      expect(args.deletionProtection, stage).toBe(production);
    }
  });
});
