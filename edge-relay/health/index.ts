export * from './health-rules';
export * from './provider-health';
