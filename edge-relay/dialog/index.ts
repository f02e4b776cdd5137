export * from './dialog';
export * from './memory-dialog-store';
