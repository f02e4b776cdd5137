export * from './config';
export * from './events';
export * from './log';
export * from './service';
export { loadRelaySettings } from './settings/relay-settings';
