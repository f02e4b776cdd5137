export * from './snapshot-loader';
