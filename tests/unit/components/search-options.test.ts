// The header search's options (components/search/search-options.tsx): projects first, then
// repositories named relative to their project, linking to their dashboard pages.
import { describe, expect, it } from 'vitest'
import { toOptions } from '../../../components/search/search-options'

describe('toOptions', () => {
  it('lists projects, then repositories by project/name whether or not the API prefixed the project', () => {
    const options = toOptions({
      projects: [{ name: 'team' }],
      repositories: [
        { name: 'team/tools/app', projectName: 'team', description: 'The **app**' },
        { name: 'web', projectName: 'team', description: null },
      ],
    } as unknown as Parameters<typeof toOptions>[0])
    expect(options.map(({ kind, label, href }) => ({ kind, label, href }))).toEqual([
      { kind: 'project', label: 'team', href: '/projects/team' },
      { kind: 'repository', label: 'team/tools/app', href: '/projects/team/repositories/tools/app' },
      { kind: 'repository', label: 'team/web', href: '/projects/team/repositories/web' },
    ])
    expect(options[1].description).toBeTruthy()
    expect(options[2].description).toBeUndefined()
  })

  it('is empty before any result', () => {
    expect(toOptions(undefined)).toEqual([])
  })
})
