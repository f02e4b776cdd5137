export * from './app';
export * from './csv';
export * from './ingest-routes';
export * from './query-routes';
export * from './routes';
export * from './time-range';
