export { loadRelaySettings } from '../functions/settings/relay-settings';
export * from './config';
export * from './events';
export * from './log';
export * from './service';
