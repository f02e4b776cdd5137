export * from './sip-transport';
export * from './stream-framer';
