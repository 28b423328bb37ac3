// Names shared by users and projects (one namespace): lowercase letters and digits, separated by
// single `.`, `_` or `-`, 2 to 64 characters. A valid name is also a valid first component of an
// OCI repository name.
import { z } from 'zod'
import { NAMESPACE_RULE } from '../name-rules'

export const NAMESPACE_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/

export const namespaceNameSchema = z
  .string({ error: 'must be a string' })
  .min(2, 'must be at least 2 characters')
  .max(64, 'must be at most 64 characters')
  .regex(NAMESPACE_PATTERN, `must be ${NAMESPACE_RULE}`)
