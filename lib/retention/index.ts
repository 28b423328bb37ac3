// Tag retention (issue #13): the policy (./policy), its evaluation (./evaluate) and its runs (./run).
export * from './policy'
export { runRetentionPolicy, startRetentionRun, startManualRun, listRetentionRuns, getRetentionRun, retentionRunRequestSchema, type RetentionRunOptions } from './run'
export { evaluateRepository, type RetentionArtifact } from './evaluate'
export { registerRetentionSchedule, RETENTION_JOB_KIND } from './schedule'
