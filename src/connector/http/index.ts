export { buildApp } from './app';
export type { AppOptions } from './app-options';
export { WEBHOOK_PATH } from './webhook-routes';
