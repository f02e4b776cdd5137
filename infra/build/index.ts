export * from './console';
export * from './esbuild-options';
export * from './lambdas';
export * from './relay';
