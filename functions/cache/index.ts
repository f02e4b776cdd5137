export * from './memory-cache';
export * from './nonce-guard';
export * from './upstash-cache';
export * from './version-cache';
