// One operation of the API reference: method, path, summary, parameters, request body schema
// (compact, expandable) and responses.
import { focusRing } from '../ui'
import { jsonSchemaOf, schemaType, type Entry } from './openapi'
import { ParametersTable } from './parameters-table'
import { Responses } from './responses'
import { SchemaView } from './schema-view'

const methodStyles: Record<string, string> = {
  get: 'bg-sky-100 text-sky-800 ring-sky-200',
  post: 'bg-emerald-100 text-emerald-800 ring-emerald-200',
  put: 'bg-amber-100 text-amber-900 ring-amber-200',
  patch: 'bg-violet-100 text-violet-800 ring-violet-200',
  delete: 'bg-red-100 text-red-800 ring-red-200',
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

export function OperationCard({ entry }: { entry: Entry }) {
  const { method, path, op } = entry
  const parameters = op.parameters ?? []
  const body = jsonSchemaOf(op.requestBody?.content)
  const responses = Object.entries(op.responses ?? {})
  return (
    <article id={entry.id} aria-label={`${method.toUpperCase()} ${path}`} data-testid="operation" className="scroll-mt-4 rounded-lg border border-slate-200 bg-white shadow-sm">
      <header className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-slate-100 px-4 py-3">
        <MethodBadge method={method} />
        <code className="min-w-0 break-all font-mono text-sm font-semibold text-slate-900">{path}</code>
        {op.summary && <p className="w-full text-sm text-slate-600 sm:ml-auto sm:w-auto sm:text-right">{op.summary}</p>}
      </header>
      <div className="space-y-4 px-4 py-3 text-sm">
        {parameters.length > 0 && <ParametersTable parameters={parameters} />}
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
        {responses.length > 0 && <Responses responses={responses} />}
      </div>
    </article>
  )
}
