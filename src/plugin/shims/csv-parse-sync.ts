/**
 * Stand-in for `csv-parse/sync` in the browser build (webpack.config.cjs aliases it here).
 * `@core`'s rate-card reader imports csv-parse, whose module code calls Node's `Buffer` as soon as
 * it loads, so bundling it stops the plugin from loading in a browser at all. The plugin never parses
 * rate-card CSV (the connector does and serves JSON), so calling this is a bug worth a clear error.
 */
export function parse(): never {
  throw new Error('rate-card CSV parsing is not available in the Grafana plugin; the connector parses rate cards');
}
