// The react-query key of the GC runs: invalidating it refreshes the history and the runs' logs.
export const GC_RUNS_KEY = ['gc-runs']
