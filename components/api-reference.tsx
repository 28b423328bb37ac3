'use client'
// The API reference: /api/v1/openapi.json rendered for people. Operations grouped by tag, each with
// its method, path, summary, parameters, request body schema (compact, expandable) and responses.
import { useQuery } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import { api, errorMessage } from './api'
import { countOf } from './format'
import { ErrorMessage, focusRing, inputClass, tableScrollClass } from './ui'
import { LoadingRows } from './widgets'

type Schema = {
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

interface Parameter {
  name: string
  in: string
  required?: boolean
  description?: string
  schema?: Schema
}

interface Response {
  description?: string
  content?: Record<string, { schema?: Schema }>
  headers?: Record<string, { schema?: Schema; description?: string }>
}

interface Operation {
  summary?: string
  description?: string
  tags?: string[]
  operationId?: string
  parameters?: Parameter[]
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> }
  responses?: Record<string, Response>
}

interface OpenApiDocument {
  openapi: string
  info: { title: string; version: string; description?: string }
  paths: Record<string, Partial<Record<string, Operation>>>
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

const methodStyles: Record<string, string> = {
  get: 'bg-sky-100 text-sky-800 ring-sky-200',
  post: 'bg-emerald-100 text-emerald-800 ring-emerald-200',
  put: 'bg-amber-100 text-amber-900 ring-amber-200',
  patch: 'bg-violet-100 text-violet-800 ring-violet-200',
  delete: 'bg-red-100 text-red-800 ring-red-200',
}

interface Entry {
  method: string
  path: string
  op: Operation
  id: string
}

function slug(text: string): string {
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

function constraints(schema: Schema): string[] {
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
function nestedObject(schema: Schema | undefined): Schema | undefined {
  if (!schema) return undefined
  if (schema.properties) return schema
  if (schema.items?.properties) return schema.items
  const union = (schema.anyOf ?? schema.oneOf)?.find((s) => s.properties)
  return union
}

/** A compact rendering of an object schema: one line per field, nested objects indented. */
export function SchemaView({ schema, depth = 0 }: { schema: Schema | undefined; depth?: number }) {
  const object = nestedObject(schema)
  if (!object?.properties) {
    return <code className="font-mono text-xs text-slate-700">{schemaType(schema)}</code>
  }
  const required = new Set(object.required ?? [])
  const entries = Object.entries(object.properties)
  if (entries.length === 0) return <code className="font-mono text-xs text-slate-700">{'{}'}</code>
  return (
    <ul className={`space-y-1 font-mono text-xs ${depth > 0 ? 'mt-1 border-l border-slate-200 pl-3' : ''}`}>
      {entries.map(([name, field]) => {
        const nested = depth < 4 ? nestedObject(field) : undefined
        const notes = constraints(field)
        return (
          <li key={name}>
            <span className="font-semibold text-slate-900">{name}</span>
            {!required.has(name) && <span className="text-slate-400">?</span>}
            <span className="text-slate-400">: </span>
            <span className="break-all text-sky-800">
              {nested && field.type === 'array' ? `${nested === field.items ? 'object' : schemaType(field.items)}[]` : schemaType(field)}
            </span>
            {notes.length > 0 && <span className="ml-2 font-sans text-slate-500">({notes.join(', ')})</span>}
            {field.description && <span className="ml-2 font-sans text-slate-500">— {field.description}</span>}
            {nested && <SchemaView schema={nested} depth={depth + 1} />}
          </li>
        )
      })}
    </ul>
  )
}

function MethodBadge({ method }: { method: string }) {
  return (
    <span
      data-testid="method-badge"
      className={`inline-flex w-16 shrink-0 justify-center rounded px-1.5 py-0.5 font-mono text-xs font-bold uppercase ring-1 ring-inset ${methodStyles[method] ?? 'bg-slate-100 text-slate-700 ring-slate-200'}`}
    >
      {method}
    </span>
  )
}

function jsonSchemaOf(content: Record<string, { schema?: Schema }> | undefined): Schema | undefined {
  return content?.['application/json']?.schema ?? Object.values(content ?? {})[0]?.schema
}

function OperationCard({ entry }: { entry: Entry }) {
  const { method, path, op } = entry
  const parameters = op.parameters ?? []
  const body = jsonSchemaOf(op.requestBody?.content)
  const allResponses = Object.entries(op.responses ?? {})
  // Successes in full; the error statuses share one body ({errors:[…]}) and go on one line.
  const responses = allResponses.filter(([status]) => !/^[45]/.test(status))
  const errors = allResponses.filter(([status]) => /^[45]/.test(status))
  return (
    <article id={entry.id} aria-label={`${method.toUpperCase()} ${path}`} data-testid="operation" className="scroll-mt-4 rounded-lg border border-slate-200 bg-white shadow-sm">
      <header className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-slate-100 px-4 py-3">
        <MethodBadge method={method} />
        <code className="min-w-0 break-all font-mono text-sm font-semibold text-slate-900">{path}</code>
        {op.summary && <p className="w-full text-sm text-slate-600 sm:ml-auto sm:w-auto sm:text-right">{op.summary}</p>}
      </header>
      <div className="space-y-4 px-4 py-3 text-sm">
        {parameters.length > 0 && (
          <div>
            <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Parameters</h4>
            <div className={`mt-1 ${tableScrollClass}`}>
              <table className="w-full min-w-[32rem] table-fixed text-left text-xs">
                <thead className="text-slate-500">
                  <tr>
                    <th scope="col" className="w-[30%] py-1 pr-3 font-medium">
                      Name
                    </th>
                    <th scope="col" className="w-[12%] py-1 pr-3 font-medium">
                      In
                    </th>
                    <th scope="col" className="w-[25%] py-1 pr-3 font-medium">
                      Type
                    </th>
                    <th scope="col" className="py-1 font-medium">
                      Notes
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {parameters.map((p) => {
                    const notes = p.schema ? constraints(p.schema) : []
                    return (
                      <tr key={`${p.in}-${p.name}`}>
                        <td className="py-1 pr-3 font-mono font-semibold text-slate-900">
                          {p.name}
                          {p.required && (
                            <span className="ml-1 font-sans text-[10px] font-semibold uppercase text-red-700" title="required">
                              required
                            </span>
                          )}
                        </td>
                        <td className="py-1 pr-3 text-slate-600">{p.in}</td>
                        <td className="break-words py-1 pr-3 font-mono text-sky-800">{schemaType(p.schema)}</td>
                        <td className="break-words py-1 text-slate-500">{[p.description, ...notes].filter(Boolean).join('; ') || '—'}</td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            </div>
          </div>
        )}
        {op.requestBody && (
          <details className="group rounded-md border border-slate-200 bg-slate-50/60" open={false}>
            <summary className={`cursor-pointer select-none rounded-md px-3 py-2 text-xs font-semibold uppercase tracking-wide text-slate-600 hover:bg-slate-100 ${focusRing}`}>
              Request body{op.requestBody.required ? ' (required)' : ''} · <span className="font-mono normal-case text-sky-800">{schemaType(body)}</span>
            </summary>
            <div className="space-y-2 border-t border-slate-200 px-3 py-2">
              <SchemaView schema={body} />
              <details>
                <summary className={`cursor-pointer text-xs text-slate-500 hover:text-slate-800 ${focusRing}`}>JSON Schema</summary>
                <pre className="mt-1 max-h-72 overflow-auto rounded bg-slate-900 p-2 font-mono text-[11px] leading-relaxed text-slate-100">{JSON.stringify(body, null, 2)}</pre>
              </details>
            </div>
          </details>
        )}
        {allResponses.length > 0 && (
          <div>
            <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Responses</h4>
            <ul className="mt-1 space-y-1">
              {responses.map(([status, response]) => {
                const schema = jsonSchemaOf(response.content)
                const ok = status.startsWith('2')
                const hasFields = Boolean(nestedObject(schema)?.properties)
                return (
                  <li key={status} className="text-xs">
                    <div className="flex flex-wrap items-baseline gap-x-2">
                      <span className={`font-mono font-bold ${ok ? 'text-emerald-700' : 'text-slate-500'}`}>{status}</span>
                      <span className="text-slate-600">{response.description}</span>
                      {response.content ? (
                        <code className="font-mono text-sky-800">{schema && Object.keys(schema).length > 0 ? schemaType(schema) : 'JSON'}</code>
                      ) : (
                        ok && <span className="text-slate-400">no body</span>
                      )}
                      {response.headers && <span className="text-slate-500">headers: {Object.keys(response.headers).join(', ')}</span>}
                    </div>
                    {ok && hasFields && (
                      <details className="ml-8 mt-1">
                        <summary className={`cursor-pointer text-slate-500 hover:text-slate-800 ${focusRing}`}>Fields</summary>
                        <div className="mt-1">
                          <SchemaView schema={schema} />
                        </div>
                      </details>
                    )}
                  </li>
                )
              })}
            </ul>
            {errors.length > 0 && (
              <p className="mt-1 text-xs text-slate-500">
                Errors:{' '}
                {errors.map(([status, response]) => (
                  <span key={status} className="mr-1.5 font-mono font-semibold text-red-700" title={response.description}>
                    {status}
                  </span>
                ))}
                <code className="font-mono text-sky-800">{'{errors: [{code, message, detail?}]}'}</code>
              </p>
            )}
          </div>
        )}
      </div>
    </article>
  )
}

export function ApiReference() {
  const doc = useQuery({ queryKey: ['openapi'], queryFn: async () => (await api<OpenApiDocument>('/api/v1/openapi.json')).data, staleTime: 5 * 60_000 })
  const [filter, setFilter] = useState('')

  const groups = useMemo(() => {
    const byTag = new Map<string, Entry[]>()
    for (const [path, item] of Object.entries(doc.data?.paths ?? {})) {
      for (const method of METHODS) {
        const op = item?.[method]
        if (!op) continue
        const tag = op.tags?.[0] ?? path.replace(/^\/api\/v1\//, '').split('/')[0]
        const entry: Entry = { method, path, op, id: op.operationId ? slug(op.operationId) : slug(`${method}-${path}`) }
        byTag.set(tag, [...(byTag.get(tag) ?? []), entry])
      }
    }
    return [...byTag.entries()]
  }, [doc.data])

  const needle = filter.trim().toLowerCase()
  const visible = groups
    .map(([tag, entries]) => [tag, needle ? entries.filter((e) => `${e.method} ${e.path} ${e.op.summary ?? ''} ${tag}`.toLowerCase().includes(needle)) : entries] as const)
    .filter(([, entries]) => entries.length > 0)
  const count = groups.reduce((n, [, entries]) => n + entries.length, 0)

  return (
    <main className="mx-auto max-w-6xl px-4 py-8 sm:px-6 sm:py-10">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">API reference</h1>
          <p className="mt-2 max-w-3xl text-slate-600">
            {doc.data?.info.description ?? 'The management API under /api/v1. Authenticate with HTTP Basic (password, access token or robot secret) or the browser session.'}
          </p>
        </div>
        <a href="/api/v1/openapi.json" className={`rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-100 ${focusRing}`}>
          OpenAPI JSON
        </a>
      </div>
      {doc.isPending ? (
        <div className="mt-8">
          <LoadingRows rows={8} label="Loading the API reference" />
        </div>
      ) : doc.isError ? (
        <div className="mt-8">
          <ErrorMessage>{errorMessage(doc.error)}</ErrorMessage>
        </div>
      ) : (
        <div className="mt-8 grid items-start gap-8 lg:grid-cols-[13rem_1fr]">
          <nav aria-label="API sections" className="lg:sticky lg:top-4">
            <label htmlFor="api-filter" className="block text-sm font-medium text-slate-700">
              Filter operations
            </label>
            <input id="api-filter" type="search" placeholder="e.g. tags, delete" value={filter} onChange={(event) => setFilter(event.target.value)} className={inputClass} />
            <p className="mt-2 text-xs text-slate-500">
              OpenAPI {doc.data.openapi} · {countOf(count, 'operation')}
            </p>
            <ul className="mt-3 flex flex-wrap gap-1 lg:block lg:space-y-0.5">
              {visible.map(([tag, entries]) => (
                <li key={tag}>
                  <a
                    href={`#tag-${slug(tag)}`}
                    className={`flex items-center justify-between gap-2 rounded-md px-2 py-1 text-sm capitalize text-slate-700 hover:bg-slate-200/70 ${focusRing}`}
                  >
                    {tag}
                    <span className="rounded-full bg-slate-200 px-1.5 text-xs text-slate-600">{entries.length}</span>
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div className="min-w-0 space-y-10">
            {visible.length === 0 && <p className="text-sm text-slate-500">No operation matches “{filter}”.</p>}
            {visible.map(([tag, entries]) => (
              <section key={tag} id={`tag-${slug(tag)}`} aria-labelledby={`tag-heading-${slug(tag)}`} className="scroll-mt-4">
                <h2 id={`tag-heading-${slug(tag)}`} className="text-xl font-semibold capitalize text-slate-900">
                  {tag}
                </h2>
                <div className="mt-3 space-y-3">
                  {entries.map((entry) => (
                    <OperationCard key={`${entry.method} ${entry.path}`} entry={entry} />
                  ))}
                </div>
              </section>
            ))}
          </div>
        </div>
      )}
    </main>
  )
}
