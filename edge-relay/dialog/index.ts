export * from './create-dialog-store';
export * from './dialog';
export * from './memory-dialog-store';
export * from './redis-dialog-store';
