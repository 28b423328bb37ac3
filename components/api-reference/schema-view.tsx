import { constraints, nestedObject, schemaType, type Schema } from './openapi'

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
