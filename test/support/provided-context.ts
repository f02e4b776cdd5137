import 'vitest';

declare module 'vitest' {
  /** What test/support/global-setup.ts starts for the whole run; read it with `inject(...)`. */
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    redisUrl: string;
  }
}
