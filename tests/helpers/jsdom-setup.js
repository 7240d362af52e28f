// Runs before any module loads: uPlot (via @grafana/ui) reads matchMedia at import time.
const { TextEncoder, TextDecoder } = require('util');
Object.assign(global, { TextEncoder, TextDecoder });
const noop = () => {};
Object.defineProperty(window, 'matchMedia', {
  writable: true,
  value: (q) => ({
    matches: false,
    media: q,
    onchange: null,
    addListener: noop,
    removeListener: noop,
    addEventListener: noop,
    removeEventListener: noop,
    dispatchEvent: () => false,
  }),
});
HTMLCanvasElement.prototype.getContext = () => null;
global.ResizeObserver = class {
  observe() {}
  unobserve() {}
  disconnect() {}
};
global.IntersectionObserver = class {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
};
