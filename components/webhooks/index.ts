// Webhook policies and their delivery logs, once for both scopes: the project page's "Webhooks" tab
// (`/api/v1/projects/{project}/webhooks`) and the system webhooks page (`/api/v1/webhooks`). Every
// piece takes the API base path of its scope; nothing here knows which scope it is in otherwise.
//   WebhookManager  (manager.tsx) the list of policies with enable switches and actions, the create/edit form
//   WebhookForm     (form.tsx) create or edit one policy (Authorization header and secret are write-only)
//   DeliveryLog     (delivery-log.tsx) a policy's deliveries: status filter, server paging, auto-refresh while
//                   pending, expandable rows with every attempt and the request body, redeliver
export { WebhookManager } from './manager'
export { WebhookForm } from './form'
export { DeliveryLog } from './delivery-log'
export { StatusBadge } from './parts'
