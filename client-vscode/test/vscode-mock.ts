/**
 * A stand-in for the `vscode` module, which exists only inside the editor. Loaded with
 * `node --require` before the tests, it answers every `require('vscode')` with the few members the
 * extension's pure-ish modules use, backed by state the tests set.
 */
import Module = require('node:module');

export class Uri {
  private constructor(readonly fsPath: string) {}

  static file(fsPath: string): Uri {
    return new Uri(fsPath);
  }
}

export const mockState = {
  /** Settings by full dotted key, e.g. `agentls.server.path`. */
  settings: new Map<string, unknown>(),
  extensions: new Map<string, unknown>(),
  reset(): void {
    this.settings.clear();
    this.extensions.clear();
  },
};

export const vscodeMock = {
  Uri,
  workspace: {
    getConfiguration(section: string) {
      return {
        get<T>(key: string, defaultValue: T): T {
          const value = mockState.settings.get(`${section}.${key}`);
          return value === undefined ? defaultValue : (value as T);
        },
      };
    },
  },
  extensions: {
    getExtension(id: string): unknown {
      return mockState.extensions.get(id);
    },
  },
};

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const loaderHost = Module as unknown as { _load: Loader };
const originalLoad = loaderHost._load;
loaderHost._load = function load(request, parent, isMain) {
  return request === 'vscode' ? vscodeMock : originalLoad.call(this, request, parent, isMain);
};
