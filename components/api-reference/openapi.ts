// The parts of an OpenAPI 3.1 document (/api/v1/openapi.json) the API reference shows, and how it
// names and groups them.
import { countOf } from '../format'

export type Schema = {
  type?: string | string[]
  $ref?: string
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  enum?: unknown[]
  const?: unknown
  anyOf?: Schema[]
  oneOf?: Schema[]
  allOf?: Schema[]
  format?: string
  pattern?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  minItems?: number
  maxItems?: number
  default?: unknown
  description?: string
  additionalProperties?: boolean | Schema
}

export interface Parameter {
  name: string
  in: string
  required?: boolean
  description?: string
  schema?: Schema
}

export interface Response {
  description?: string
  content?: Record<string, { schema?: Schema }>
  headers?: Record<string, { schema?: Schema; description?: string }>
}

export interface Operation {
  summary?: string
  description?: string
  tags?: string[]
  operationId?: string
  parameters?: Parameter[]
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> }
  responses?: Record<string, Response>
}

export interface OpenApiDocument {
  openapi: string
  info: { title: string; version: string; description?: string }
  paths: Record<string, Partial<Record<string, Operation>>>
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

export interface Entry {
  method: string
  path: string
  op: Operation
  id: string
}

export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
}

/** A one-line type for a schema: string, integer, "a" | "b", Thing[], object … */
export function schemaType(schema: Schema | undefined): string {
  if (!schema || Object.keys(schema).length === 0) return 'any'
  if (schema.$ref) return schema.$ref.split('/').pop() ?? 'object'
  if (schema.const !== undefined) return JSON.stringify(schema.const)
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ')
  const union = schema.anyOf ?? schema.oneOf
  if (union) return union.map(schemaType).join(' | ')
  if (schema.allOf) return schema.allOf.map(schemaType).join(' & ')
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type
  if (type === 'array') return `${schemaType(schema.items)}[]`
  if (type === 'string' && schema.format) return `string (${schema.format})`
  return type ?? (schema.properties ? 'object' : 'any')
}

export function constraints(schema: Schema): string[] {
  const out: string[] = []
  if (schema.minLength !== undefined) out.push(`min length ${schema.minLength}`)
  if (schema.maxLength !== undefined) out.push(`max length ${schema.maxLength}`)
  if (schema.minimum !== undefined && schema.minimum > Number.MIN_SAFE_INTEGER) out.push(`≥ ${schema.minimum}`)
  if (schema.exclusiveMinimum !== undefined) out.push(`> ${schema.exclusiveMinimum}`)
  if (schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER) out.push(`≤ ${schema.maximum}`)
  if (schema.exclusiveMaximum !== undefined) out.push(`< ${schema.exclusiveMaximum}`)
  if (schema.minItems !== undefined) out.push(`min ${countOf(schema.minItems, 'item')}`)
  if (schema.maxItems !== undefined) out.push(`max ${countOf(schema.maxItems, 'item')}`)
  if (schema.pattern) out.push(`pattern ${schema.pattern}`)
  if (schema.default !== undefined) out.push(`default ${JSON.stringify(schema.default)}`)
  return out
}

/** The object to expand for nested fields: the object itself, or an array's item object. */
export function nestedObject(schema: Schema | undefined): Schema | undefined {
  if (!schema) return undefined
  if (schema.properties) return schema
  if (schema.items?.properties) return schema.items
  const union = (schema.anyOf ?? schema.oneOf)?.find((s) => s.properties)
  return union
}

export function jsonSchemaOf(content: Record<string, { schema?: Schema }> | undefined): Schema | undefined {
  return content?.['application/json']?.schema ?? Object.values(content ?? {})[0]?.schema
}

/** The operations of the document grouped by their first tag (else the first path segment under /api/v1), in document order. */
export function groupByTag(doc: OpenApiDocument | undefined): [string, Entry[]][] {
  const byTag = new Map<string, Entry[]>()
  for (const [path, item] of Object.entries(doc?.paths ?? {})) {
    for (const method of METHODS) {
      const op = item?.[method]
      if (!op) continue
      const tag = op.tags?.[0] ?? path.replace(/^\/api\/v1\//, '').split('/')[0]
      const entry: Entry = { method, path, op, id: op.operationId ? slug(op.operationId) : slug(`${method}-${path}`) }
      byTag.set(tag, [...(byTag.get(tag) ?? []), entry])
    }
  }
  return [...byTag.entries()]
}
