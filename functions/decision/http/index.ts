export * from './config-write-hook';
export * from './decide-handler';
export * from './decide-route';
export * from './routing-deps';
export * from './schemas';
export * from './simulate-route';
