export * from './access';
export * from './app';
export * from './auth';
export * from './problem';
export * from './resource-routes';
export * from './route-group';
