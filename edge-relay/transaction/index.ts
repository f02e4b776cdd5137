export * from './build';
export * from './transactions';
