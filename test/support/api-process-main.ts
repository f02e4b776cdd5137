/** The child of api-process.ts: one local stack on an existing DynamoDB Local table. */
import { startLocalStack } from '../../local/local-stack';

const config = JSON.parse(process.env['API_PROCESS_CONFIG'] ?? '{}') as {
  endpoint: string;
  tableName: string;
  adminKey: string;
  relayToken: string;
  nonceSecret: string;
};
const stack = await startLocalStack({
  apiPort: 0,
  dynamodb: { endpoint: config.endpoint },
  tableName: config.tableName,
  region: 'us-east-1',
  adminKey: config.adminKey,
  relayToken: config.relayToken,
  nonceSecret: config.nonceSecret,
});
console.log(`listening ${stack.apiUrl}`);
