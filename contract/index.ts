export * from './cdr';
export * from './decide';
export * from './failover';
export * from './peer';
