export * from './cdr';
export * from './decide';
export * from './failover';
export * from './health';
export * from './live-calls';
export * from './peer';
