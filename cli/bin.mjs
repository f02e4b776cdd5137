#!/usr/bin/env node
// `tandem` runs from the checkout without a build: tsx (a dependency) compiles the TypeScript as it loads.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv);
