export { buildApp } from './app';
export type { AppOptions } from './app-options';
export { WEBHOOK_PATH } from './webhook-routes';
export { API_QUERIES, answerOf, inThreadRunner, QueryUnavailableError, STREAMED_QUERIES } from './api-queries';
export type { ApiQueryArg, ApiQueryName, QueryRunner, QueryWorkerHealth, StreamedQueryArg, StreamedQueryName } from './api-queries';
