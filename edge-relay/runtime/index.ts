export * from './call-runner';
export * from './context';
export * from './in-dialog-runner';
export * from './receive';
