// Interactive pieces shared by the project, repository and artifact pages: copy buttons, relative
// times, confirmation dialogs, tabs, pagination and the "how to push" commands.
export { Breadcrumb } from './breadcrumb'
export { ConfirmDialog, type ConfirmAction } from './confirm-dialog'
export { CommandLine, CopyButton, PushCommands } from './copy'
export { LoadingRows, Pagination } from './pagination'
export { Tabs } from './tabs'
export { TimeAgo } from './time-ago'
export { useHost } from './use-host'
