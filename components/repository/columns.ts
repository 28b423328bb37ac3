// Column classes of the repository's artifact table, shared by its header, artifact rows and platform rows.

/** Columns shown from the md breakpoint up. */
export const SECONDARY = 'hidden md:table-cell'
/** The Actions column stays at the right edge while a narrow screen scrolls the table sideways. */
export const STICKY_ACTIONS = 'sticky right-0'
