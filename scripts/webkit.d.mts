export declare function miniBrowser(): string;
export declare function webkitCapabilities(): Record<string, unknown>;
export declare function startWebKitDriver(env?: Record<string, string>): Promise<{ port: number; stop: () => void }>;
export declare function webkitgtk(options?: {
  env?: Record<string, string>;
  [k: string]: unknown;
}): import("vitest/node").BrowserProviderOption;
export declare function openWebKit(): Promise<{ browser: import("webdriverio").Browser; stop: () => void }>;
