import { tableScrollClass } from '../ui'
import { constraints, schemaType, type Parameter } from './openapi'

/** An operation's parameters: name (and whether required), where it goes, its type and notes. */
export function ParametersTable({ parameters }: { parameters: Parameter[] }) {
  return (
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
  )
}
