import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The one DynamoDB handle every store function takes. */
export type Store = {
  readonly doc: DynamoDBDocumentClient;
  readonly raw: DynamoDBClient;
  readonly tableName: string;
};

export type StoreOptions = { endpoint?: string | undefined; region: string; tableName: string };

/**
 * Builds the DynamoDB client (one per process). With `endpoint` (DynamoDB
 * Local) it uses dummy credentials, since the emulator ignores them.
 *
 * @example
 * const store = createStore({ endpoint: 'http://127.0.0.1:8000', region: 'us-east-1', tableName: 'tandem' });
 */
export function createStore(options: StoreOptions): Store {
  const raw = new DynamoDBClient({
    region: options.region,
    ...(options.endpoint
      ? { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  const doc = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { doc, raw, tableName: options.tableName };
}
