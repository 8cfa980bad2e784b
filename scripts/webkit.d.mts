export declare function miniBrowser(): string;
export declare function webkitCapabilities(): Record<string, unknown>;
