// What an access token may do, as offered in the form and shown in the list.
import type { AccessToken } from '@/lib/tokens/schema'

export type Permission = AccessToken['permission']

export const PERMISSIONS: { value: Permission; label: string; description: string }[] = [
  { value: 'read', label: 'Read', description: 'pull' },
  { value: 'readWrite', label: 'Read and write', description: 'pull and push' },
  { value: 'readWriteDelete', label: 'Read, write and delete', description: 'pull, push and delete' },
]
export const permissionLabel = (value: string) => PERMISSIONS.find((p) => p.value === value)?.label ?? value
