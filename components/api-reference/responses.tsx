import { focusRing } from '../ui'
import { jsonSchemaOf, nestedObject, schemaType, type Response } from './openapi'
import { SchemaView } from './schema-view'

/** An operation's responses: the successes in full; the error statuses share one body ({errors:[…]}) and go on one line. */
export function Responses({ responses: all }: { responses: [string, Response][] }) {
  const responses = all.filter(([status]) => !/^[45]/.test(status))
  const errors = all.filter(([status]) => /^[45]/.test(status))
  return (
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
  )
}
