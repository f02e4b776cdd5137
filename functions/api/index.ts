export * from '../http/auth';
export * from '../http/problem';
export * from '../http/route-group';
export * from './access';
export * from './app';
export * from './resource-routes';
