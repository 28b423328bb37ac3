export declare const BUILD_OUTPUTS: readonly string[]
export declare const BUILD_SOURCES: readonly string[]
export type BuildState = 'missing' | 'stale' | 'fresh'
export declare function buildState(root: string): BuildState
