export * from './decision-client';
