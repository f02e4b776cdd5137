export * from './app';
export * from './contract';
export * from './explain';
export * from './http/decide-handler';
export * from './node-server';
export * from './routing';
