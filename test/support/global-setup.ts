import './provided-context';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local';
import { startRedisServer } from './redis-server';

/**
 * One DynamoDB Local and one redis-server for the whole run; each test file
 * makes its own table (and Redis key prefix or database) so files stay isolated.
 */
export default async function setup(project: TestProject) {
  const [dynamodb, redis] = await Promise.all([startDynamoDbLocal(), startRedisServer()]);
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  project.provide('redisUrl', redis.url);
  return async () => {
    await Promise.all([dynamodb.stop(), redis.stop()]);
  };
}
