export * from './app';
export * from './contract';
export * from './explain';
export * from './routing';
