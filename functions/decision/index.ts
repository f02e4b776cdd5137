export * from '../../contract/decide';
export * from './app';
export * from './explain';
export * from './http/decide-handler';
export * from './node-server';
export * from './routing';
