// Types of build-noise.mjs (a plain script module, so build.mjs runs without a compile step).
export declare const NOISE: Set<string>;
export declare function isNoise(line: string): boolean;
