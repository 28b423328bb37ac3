// Harbor's tag retention rule templates and their labels, free of zod so that the dashboard can
// import them (see ./schema).

/** What a rule retains among the artifacts it selects. */
export const RETENTION_TEMPLATES = ['latestPushedK', 'latestPulledN', 'nDaysSinceLastPush', 'nDaysSinceLastPull', 'always'] as const
export type RetentionTemplate = (typeof RETENTION_TEMPLATES)[number]

export const RETENTION_TEMPLATE_LABELS: Record<RetentionTemplate, string> = {
  latestPushedK: 'the most recently pushed # artifacts',
  latestPulledN: 'the most recently pulled # artifacts',
  nDaysSinceLastPush: 'the artifacts pushed within the last # days',
  nDaysSinceLastPull: 'the artifacts pulled within the last # days',
  always: 'always',
}
