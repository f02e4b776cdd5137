export * from './call';
export * from './failover';
export * from './in-dialog';
export * from './own-via';
export * from './response-choice';
