/**
 * A jsdom window installed as Node's globals, so the plugin's modules (@grafana/runtime pulls in
 * @grafana/ui, which reads window, matchMedia and devicePixelRatio at import time) load in the
 * bench process. Only for timing the plugin's query(); nothing is rendered.
 */
export function installBrowserGlobals(): void {
  const g = globalThis as Record<string, unknown>;
  if (g.window) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { JSDOM } = require('jsdom') as typeof import('jsdom');
  const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/', pretendToBeVisual: true });
  const win = dom.window as unknown as Record<string, unknown>;
  const noop = () => undefined;
  win.matchMedia = (q: string) => ({
    matches: false,
    media: q,
    onchange: null,
    addListener: noop,
    removeListener: noop,
    addEventListener: noop,
    removeEventListener: noop,
    dispatchEvent: () => false,
  });
  win.devicePixelRatio = 1;
  // Node has its own Event classes; jsdom's window only accepts its own.
  const override = new Set(['window', 'navigator', 'Event', 'CustomEvent', 'EventTarget', 'MessageEvent', 'document']);
  for (const key of Object.getOwnPropertyNames(win)) {
    if (key in g && !override.has(key)) continue;
    try {
      Object.defineProperty(g, key, { value: win[key], configurable: true, writable: true });
    } catch {
      // some window accessors cannot be copied; nothing we load needs them
    }
  }
  g.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
  g.IntersectionObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  };
  // Stylesheets imported by @grafana/ui's dependencies load as empty modules.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require('node:module') as { _extensions: Record<string, (m: { exports: unknown }) => void> };
  for (const ext of ['.css', '.scss', '.sass'])
    Module._extensions[ext] = (m) => {
      m.exports = {};
    };
  (win.HTMLCanvasElement as { prototype: { getContext: unknown } }).prototype.getContext = () => null;
}
