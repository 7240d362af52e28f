// Builds the Grafana plugin (src/plugin) into dist/: an AMD module.js that Grafana's SystemJS loader
// evaluates, with React, rxjs, lodash, emotion and every @grafana/* package left to Grafana (the
// "shared dependencies"), so the plugin renders with the host's single React and theme.
const path = require('path');
const CopyWebpackPlugin = require('copy-webpack-plugin');
const pkg = require('./package.json');

const PLUGIN_ID = require('./src/plugin/plugin.json').id;
const root = __dirname;

// Packages Grafana provides at run time (its sharedDependenciesMap). Changing this list breaks loading.
const SHARED = [
  'react',
  'react-dom',
  'react-dom/client',
  'react/jsx-runtime',
  'react/jsx-dev-runtime',
  'rxjs',
  'rxjs/operators',
  'lodash',
  '@emotion/css',
  '@emotion/react',
  'emotion',
  'moment',
  'i18next',
  'react-redux',
  'redux',
  'react-router',
  'react-router-dom',
];

function externals({ request }, callback) {
  if (!request) return callback();
  // Every @grafana/* package (data, ui, runtime, schema, i18n and their /unstable entries).
  if (SHARED.includes(request) || request.startsWith('@grafana/') || request.startsWith('rxjs/')) {
    return callback(undefined, request);
  }
  return callback();
}

const today = () => new Date().toISOString().slice(0, 10);

module.exports = (_env, argv) => {
  const production = argv.mode !== 'development';
  return {
    mode: production ? 'production' : 'development',
    context: root,
    target: 'web',
    entry: { module: './src/plugin/module.ts' },
    devtool: 'source-map',
    output: {
      path: path.join(root, 'dist'),
      filename: '[name].js',
      library: { type: 'amd' },
      publicPath: `public/plugins/${PLUGIN_ID}/`,
      uniqueName: PLUGIN_ID,
      clean: true,
    },
    externals: [externals],
    resolve: {
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'],
      // The tsconfig path aliases: the plugin reaches core and the contract only through these.
      alias: {
        '@core$': path.join(root, 'src/core/index.ts'),
        '@contract$': path.join(root, 'src/contract/index.ts'),
        // Node-only: its module code needs Buffer, which a browser lacks (see the shim for why).
        'csv-parse/sync$': path.join(root, 'src/plugin/shims/csv-parse-sync.ts'),
      },
    },
    module: {
      rules: [
        {
          test: /\.[tj]sx?$/,
          exclude: /node_modules/,
          use: {
            loader: 'swc-loader',
            options: {
              jsc: {
                target: 'es2020',
                parser: { syntax: 'typescript', tsx: true },
                transform: { react: { runtime: 'automatic' } },
              },
            },
          },
        },
      ],
    },
    plugins: [
      new CopyWebpackPlugin({
        patterns: [
          {
            from: 'src/plugin/plugin.json',
            to: 'plugin.json',
            // %VERSION% / %TODAY% are placeholders the build fills, as Grafana's template does.
            transform: (content) =>
              content
                .toString()
                .replace(/%VERSION%/g, pkg.version)
                .replace(/%TODAY%/g, today()),
          },
          { from: 'src/plugin/README.md', to: 'README.md' },
          { from: 'src/plugin/img', to: 'img' },
          { from: 'dashboards/*.json', to: 'dashboards/[name][ext]', noErrorOnMissing: true },
        ],
      }),
    ],
    performance: { hints: false },
    optimization: { minimize: production },
  };
};
