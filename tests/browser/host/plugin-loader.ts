// How Grafana's frontend hands a plugin's module.js its shared packages and loads it with SystemJS
// (public/app/features/plugins/loader in grafana/grafana). Two generations, read from Grafana's source:
//
// Grafana 12 (React 18): every shared package is set eagerly as `package:<name>` (SystemJS.set) and
//   mapped by an import map. Right after SystemJS's AMD extra loads, Grafana moves the global `define`
//   to `window.__grafana_amd_define` (so Monaco's RequireJS does not bail) and its fetch hook wraps
//   every AMD source in `(function(define) { ... })(window.__grafana_amd_define)`; plugins are
//   fetched and evaluated so that the wrap applies.
// Grafana 13 (React 19): most shared packages (react, react-dom, react/jsx-runtime, rxjs, @emotion/css)
//   are loaders that SystemJS's named-register extra resolves on first import (`System.register(id,
//   [], ...)` whose execute awaits the dynamic import); @grafana/data and @grafana/runtime stay
//   eager; the fetch hook no longer wraps AMD sources; System.import unwraps `__useDefault` modules.
export type LoaderGeneration = '12' | '13';

export interface SystemJSLike {
  set(id: string, module: object): void;
  has(id: string): boolean;
  register(id: string, deps: string[], declare: (exp: (m: object) => void) => { execute: () => Promise<void> }): void;
  addImportMap(map: { imports: Record<string, string> }, base?: string): void;
  import(id: string): Promise<Record<string, unknown>>;
  constructor: { prototype: SystemJSPrototype };
}
interface SystemJSPrototype {
  fetch(url: string, options?: object): Promise<Response>;
  shouldFetch(url: string): boolean;
  import(this: SystemJSLike, id: string, parent?: string): Promise<Record<string, unknown> & { __useDefault?: boolean; default?: unknown }>;
}

/** A shared package: the module itself, or (Grafana 13) a loader resolved on first import. */
export type Shared = object | (() => Promise<object>);

const AMD_MODULE = /\bdefine\(/;
const JS_CONTENT_TYPE = /^(text|application)\/(x-)?javascript(;|$)/;

export function installLoader(system: SystemJSLike, generation: LoaderGeneration, shared: Record<string, Shared>): void {
  const win = window as unknown as { define?: unknown; __grafana_amd_define?: unknown };
  const proto = system.constructor.prototype;
  if (generation === '12') {
    win.__grafana_amd_define = win.define;
    win.define = undefined;
    proto.shouldFetch = () => true;
    const fetchOriginal = proto.fetch;
    proto.fetch = async function (url: string, options?: object) {
      const res = await fetchOriginal.call(this, url, options);
      if (!JS_CONTENT_TYPE.test(res.headers.get('content-type') ?? '')) return res;
      const source = await res.text();
      const wrapped = AMD_MODULE.test(source) ? `(function(define) {\n${source}\n})(window.__grafana_amd_define);` : source;
      return new Response(new Blob([wrapped], { type: 'text/javascript' }));
    };
  } else {
    const importOriginal = proto.import;
    proto.import = function (id: string, parent?: string) {
      return importOriginal.call(this, id, parent).then((m) => (m && m.__useDefault ? (m.default as Record<string, unknown>) : m));
    };
  }
  const imports: Record<string, string> = {};
  for (const [name, module] of Object.entries(shared)) {
    const id = `package:${name}`;
    imports[name] = id;
    if (typeof module === 'function') {
      if (generation === '12') throw new Error(`Grafana 12 shares ${name} eagerly; a loader was given`);
      const load = module as () => Promise<object>;
      system.register(id, [], (exp) => ({ execute: async () => exp(await load()) }));
    } else system.set(id, module);
  }
  system.addImportMap({ imports });
}
