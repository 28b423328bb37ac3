// Every route file under app/api/v1, with each HTTP method it exports, appears in the OpenAPI document.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openApiDocument } from '../../../lib/api/openapi'

const root = join(__dirname, '../../../app/api/v1')

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return routeFiles(path)
    return entry.name === 'route.ts' ? [path] : []
  })
}

describe('OpenAPI document', () => {
  const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, unknown>> }

  it('is OpenAPI 3.1', () => {
    expect(doc.openapi).toBe('3.1.0')
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc)
  })

  it('lists every route file under app/api/v1 with each method it exports', () => {
    const files = routeFiles(root)
    expect(files.length).toBeGreaterThan(10)
    const missing: string[] = []
    for (const file of files) {
      const dir = relative(root, file).split(sep).slice(0, -1)
      const path = '/api/v1' + dir.map((segment) => '/' + segment.replace(/^\[(.+)\]$/, '{$1}')).join('')
      const methods = [...readFileSync(file, 'utf8').matchAll(/export (?:const|async function|function) (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1].toLowerCase())
      expect(methods.length, file).toBeGreaterThan(0)
      for (const method of methods) if (!doc.paths[path]?.[method]) missing.push(`${method.toUpperCase()} ${path}`)
    }
    expect(missing).toEqual([])
  })

  it('describes the artifact list with its query parameters and pagination headers', () => {
    const op = doc.paths['/api/v1/projects/{project}/repositories/{repository}/artifacts'].get as any
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['project', 'repository', 'page', 'page_size', 'tag', 'tagged']))
    expect(op.responses['200'].headers['X-Total-Count']).toBeDefined()
    expect(op.responses['200'].content['application/json'].schema.items.properties.kind.enum).toEqual(['image', 'index', 'artifact'])
  })
})
