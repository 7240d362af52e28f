// The two Grafana generations the browser test loads dist/module.js into, and how each host page is
// bundled: the same source (host/host.tsx) with every bare import resolved from that host's install.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import type { LoaderGeneration } from './host/plugin-loader';

export interface BrowserHost {
  /** Used in test names and artifact file names. */
  name: 'react19' | 'react18';
  generation: LoaderGeneration;
  /** The folder whose node_modules supplies react, react-dom, @grafana/* and rxjs to the host page. */
  packageDir: string;
  /** Installs the host's packages when they are missing (null: they are the repository's own). */
  install: string[] | null;
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const REACT18_DIR = path.join(__dirname, 'host-react18');

export const HOSTS: BrowserHost[] = [
  { name: 'react19', generation: '13', packageDir: REPO_ROOT, install: null },
  {
    name: 'react18',
    generation: '12',
    packageDir: REACT18_DIR,
    install: ['npm', 'ci', '--prefix', path.relative(REPO_ROOT, REACT18_DIR), '--no-audit', '--no-fund'],
  },
];

/** `npm ci` of the host's own package folder when its node_modules is missing, said out loud. */
export function ensureHostInstalled(host: BrowserHost): void {
  if (!host.install || fs.existsSync(path.join(host.packageDir, 'node_modules', '@grafana', 'ui', 'package.json'))) return;
  process.stdout.write(`browser test: the ${host.name} host's packages are not installed; running: ${host.install.join(' ')}\n`);
  const res = spawnSync(host.install[0]!, host.install.slice(1), { cwd: REPO_ROOT, stdio: 'inherit' });
  if (res.status !== 0)
    throw new Error(`${host.install.join(' ')} failed (exit ${res.status ?? res.signal}); the ${host.name} host cannot be built`);
}

function installedVersion(host: BrowserHost, pkg: string): string {
  return JSON.parse(fs.readFileSync(path.join(host.packageDir, 'node_modules', pkg, 'package.json'), 'utf8')).version as string;
}

/**
 * Bundles host/host.tsx for `host`. Bare imports made outside the host's node_modules (by the host
 * source itself) are resolved from the host's package folder; inside it, node resolution already
 * stays there. Returns the bundle path and every package file it took in, so the test can prove one
 * React and one @grafana copy from the right install.
 */
export async function buildHostBundle(host: BrowserHost, outDir: string): Promise<{ file: string; css: string; inputs: string[] }> {
  const outfile = path.join(outDir, `host-${host.name}.js`);
  const hostModules = fs.realpathSync(path.join(host.packageDir, 'node_modules'));
  const fromHost: esbuild.Plugin = {
    name: 'resolve-from-host',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'from-host' || !args.resolveDir || fs.realpathSync(args.resolveDir).startsWith(hostModules))
          return undefined;
        const res = await build.resolve(args.path, { kind: args.kind, resolveDir: host.packageDir, pluginData: 'from-host' });
        return res.errors.length ? { errors: res.errors } : { path: res.path, sideEffects: res.sideEffects };
      });
    },
  };
  const result = await esbuild.build({
    entryPoints: [path.join(__dirname, 'host', 'host.tsx')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    outfile,
    metafile: true,
    plugins: [fromHost, webpackDefaultInterop],
    define: {
      'process.env.NODE_ENV': '"production"',
      global: 'window',
      __HOST_GRAFANA_VERSION__: JSON.stringify(installedVersion(host, '@grafana/data')),
    },
    // The stylesheets @grafana/ui imports (uPlot's among them) go to a .css beside the bundle, as
    // Grafana's webpack build puts them in its CSS; without uPlot's the plot and legend overlap.
    loader: {
      '.css': 'css',
      '.svg': 'text',
      '.woff': 'empty',
      '.woff2': 'empty',
      '.ttf': 'empty',
      '.eot': 'empty',
      '.png': 'empty',
      '.gif': 'empty',
      '.jpg': 'empty',
    },
    jsx: 'automatic',
    logLevel: 'error',
  });
  // Inputs are relative to the working directory; esbuild-namespaced ones ("(disabled):...") are not files.
  const inputs = Object.keys(result.metafile.inputs)
    .map((p) => path.resolve(process.cwd(), p))
    .filter((p) => fs.existsSync(p))
    .map((p) => fs.realpathSync(p));
  return { file: outfile, css: outfile.replace(/\.js$/, '.css'), inputs };
}

function isCommonJs(file: string): boolean {
  if (file.endsWith('.cjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) return JSON.parse(fs.readFileSync(pkg, 'utf8')).type !== 'module';
  }
  return true;
}

/**
 * @grafana/ui's .mjs files default-import CommonJS packages compiled from ES modules
 * (`import Scrollbars from 'react-custom-scrollbars-2'`, whose exports carry __esModule). Grafana
 * bundles them with webpack, which then takes `exports.default`; esbuild follows Node for an .mjs
 * importer and hands over the whole exports object, which React rejects as an element type (the
 * minified error #130 that Table, VizLegend and TimeSeries legends hit). Such imports go through a
 * shim that re-exports the module the way webpack reads it.
 */
export const webpackDefaultInterop: esbuild.Plugin = {
  name: 'webpack-default-interop',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (!args.importer.endsWith('.mjs') || args.pluginData === 'interop') return undefined;
      const res = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'interop' });
      if (res.errors.length || !isCommonJs(res.path)) return undefined;
      return { path: res.path, namespace: 'webpack-interop' };
    });
    build.onLoad({ filter: /.*/, namespace: 'webpack-interop' }, (args) => ({
      contents: `import * as m from ${JSON.stringify(args.path)};\nexport * from ${JSON.stringify(args.path)};\nexport default m.default;\n`,
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

export function expectedVersions(host: BrowserHost): { react: string; grafana: string; modules: string } {
  return {
    react: installedVersion(host, 'react'),
    grafana: installedVersion(host, '@grafana/data'),
    modules: fs.realpathSync(path.join(host.packageDir, 'node_modules')),
  };
}
