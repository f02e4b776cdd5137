import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Store } from './client';

type Request = { PutRequest: { Item: Record<string, unknown> } };

/**
 * A store whose BatchWriteItem answers as `reply` says (unprocessed items, or an error),
 * to provoke what DynamoDB Local never does: throttling. BatchGetItem finds nothing stored.
 */
export function scriptedStore(reply: (requests: Request[], call: number) => Request[] | Error) {
  const calls: Request[][] = [];
  const send = async (command: unknown) => {
    if (command instanceof BatchGetCommand) return { Responses: { t: [] } };
    if (!(command instanceof BatchWriteCommand)) throw new Error('unexpected command');
    const requests = command.input.RequestItems!['t']! as Request[];
    calls.push(requests);
    const out = reply(requests, calls.length);
    if (out instanceof Error) throw out;
    return { UnprocessedItems: out.length > 0 ? { t: out } : {} };
  };
  return { store: { doc: { send }, raw: {}, tableName: 't' } as unknown as Store, calls };
}

/** The error DynamoDB throws when it throttles. */
export const throttling = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
