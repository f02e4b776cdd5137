import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { linkedEnv } from './resource';

const linked = {
  App: { name: 'tandem', stage: 'test' },
  Table: { type: 'sst.aws.Dynamo', name: 'tandem-test-Table-abc' },
  AdminKey: { type: 'sst.sst.Secret', value: 'admin-key-0123456789' },
  RelayToken: { type: 'sst.sst.Secret', value: 'relay-token-0123456789' },
  NonceSecret: { type: 'sst.sst.Secret', value: 'nonce-secret-0123456789' },
  UpstashRedisRestUrl: { type: 'sst.sst.Secret', value: 'https://eu1-x.upstash.io' },
  UpstashRedisRestToken: { type: 'sst.sst.Secret', value: 'upstash-token' },
};

describe('linkedEnv', () => {
  it('maps every linked resource onto the variable settings.ts validates', () => {
    expect(linkedEnv({ AWS_REGION: 'eu-west-1' }, linked)).toEqual({
      AWS_REGION: 'eu-west-1',
      TANDEM_TABLE_NAME: 'tandem-test-Table-abc',
      TANDEM_ADMIN_KEY: 'admin-key-0123456789',
      TANDEM_RELAY_TOKEN: 'relay-token-0123456789',
      TANDEM_NONCE_SECRET: 'nonce-secret-0123456789',
      UPSTASH_REDIS_REST_URL: 'https://eu1-x.upstash.io',
      UPSTASH_REDIS_REST_TOKEN: 'upstash-token',
    });
  });

  it('keeps an explicit variable over the link, and treats an empty one as unset', () => {
    const env = linkedEnv({ TANDEM_TABLE_NAME: 'override', TANDEM_ADMIN_KEY: '' }, linked);
    expect(env.TANDEM_TABLE_NAME).toBe('override');
    expect(env.TANDEM_ADMIN_KEY).toBe('admin-key-0123456789');
  });

  it('returns the environment unchanged without links (local stack)', () => {
    expect(linkedEnv({ TANDEM_API_PORT: '8080' }, {})).toEqual({ TANDEM_API_PORT: '8080' });
  });

  it('names the link when its shape is wrong', () => {
    expect(() => linkedEnv({}, { Table: { arn: 'x' } })).toThrow(/Table.*"name".*TANDEM_TABLE_NAME/);
  });

  it("reads SST's real Resource, fed by SST_RESOURCE_* variables as SST sets them", () => {
    const script =
      "import { linkedEnv } from './functions/settings/resource.ts';" +
      'console.log(JSON.stringify(linkedEnv({})));';
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        SST_RESOURCE_App: JSON.stringify(linked.App),
        SST_RESOURCE_Table: JSON.stringify(linked.Table),
        SST_RESOURCE_AdminKey: JSON.stringify(linked.AdminKey),
      },
    });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      TANDEM_TABLE_NAME: 'tandem-test-Table-abc',
      TANDEM_ADMIN_KEY: 'admin-key-0123456789',
    });
  });
});
