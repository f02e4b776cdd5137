import { createCipheriv, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingLinks } from '../../functions/settings/links';

/** What a deployed function gets linked: the table and the five secrets. */
export type LinkValues = {
  tableName: string;
  adminKey: string;
  relayToken: string;
  nonceSecret: string;
  upstashUrl: string;
  upstashToken: string;
};

/** The link objects SST hands a function, keyed by component name (`Resource.<name>`). */
export function linkedResources(v: LinkValues): Record<string, Record<string, string>> {
  const secret = (value: string) => ({ type: 'sst.sst.Secret', value });
  return {
    [settingLinks.TANDEM_TABLE_NAME.link]: { type: 'sst.aws.Dynamo', name: v.tableName },
    [settingLinks.TANDEM_ADMIN_KEY.link]: secret(v.adminKey),
    [settingLinks.TANDEM_RELAY_TOKEN.link]: secret(v.relayToken),
    [settingLinks.TANDEM_NONCE_SECRET.link]: secret(v.nonceSecret),
    [settingLinks.UPSTASH_REDIS_REST_URL.link]: secret(v.upstashUrl),
    [settingLinks.UPSTASH_REDIS_REST_TOKEN.link]: secret(v.upstashToken),
  };
}

const app = JSON.stringify({ name: 'tandem', stage: 'test' });

/** Links as `SST_RESOURCE_<Name>` variables (JSON), the way `Resource` reads them from the environment. */
export function sstResourceEnv(v: LinkValues): Record<string, string> {
  return {
    SST_RESOURCE_App: app,
    ...Object.fromEntries(
      Object.entries(linkedResources(v)).map(([name, value]) => [
        `SST_RESOURCE_${name}`,
        JSON.stringify(value),
      ]),
    ),
  };
}

/**
 * Links as a deployed SST function gets them (platform/src/components/aws/function.ts):
 * `SST_RESOURCE_App`, and the rest AES-256-GCM encrypted (zero nonce, tag
 * appended) in `resource.enc` beside the handler, its key in `SST_KEY`.
 * Writes resource.enc into `dir` (the function's working directory).
 */
export function sstEncryptedEnv(v: LinkValues, dir: string): Record<string, string> {
  const key = randomBytes(32);
  const cipher = createCipheriv('aes-256-gcm', key, Buffer.alloc(12, 0));
  const data = Buffer.concat([cipher.update(JSON.stringify(linkedResources(v))), cipher.final()]);
  writeFileSync(join(dir, 'resource.enc'), Buffer.concat([data, cipher.getAuthTag()]));
  return { SST_RESOURCE_App: app, SST_KEY: key.toString('base64'), SST_KEY_FILE: 'resource.enc' };
}

/** The variables the Lambda Node.js runtime sets for every function (no real credentials). */
export function lambdaRuntimeEnv(functionName: string, memoryMb: number): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_ACCESS_KEY_ID: 'ASIALOCALTEST',
    AWS_SECRET_ACCESS_KEY: 'local-secret',
    AWS_SESSION_TOKEN: 'local-session',
    NODE_ENV: 'production',
  };
}
