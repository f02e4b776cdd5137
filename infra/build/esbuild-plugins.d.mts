import type { Plugin } from 'esbuild';

export declare function zodEnglishOnly(): Plugin;
declare const plugins: Plugin[];
export default plugins;
