'use client'
// The options of the header search (./header-search): the projects and repositories a search found,
// listed in groups under a heading each.
import type { MouseEvent } from 'react'
import type { SearchResult } from '@/lib/search/schema'
import { excerpt, repositoryPath, shortRepositoryName } from '../format'

export interface SearchOption {
  kind: 'project' | 'repository'
  key: string
  label: string
  href: string
  description?: string
}

export function toOptions(data: SearchResult | undefined): SearchOption[] {
  const projects: SearchOption[] = (data?.projects ?? []).map((project) => ({
    kind: 'project',
    key: `p:${project.name}`,
    label: project.name,
    href: `/projects/${encodeURIComponent(project.name)}`,
  }))
  const repositories: SearchOption[] = (data?.repositories ?? []).map((repository) => {
    const name = shortRepositoryName(repository.projectName, repository.name)
    return {
      kind: 'repository',
      key: `r:${repository.name}`,
      label: `${repository.projectName}/${name}`,
      href: repositoryPath(repository.projectName, name),
      description: repository.description ? excerpt(repository.description, 80) : undefined,
    }
  })
  return [...projects, ...repositories]
}

/**
 * The options of one kind under their heading; `optionId` gives each option the id the combobox
 * points at, by its index among all options.
 */
export function OptionGroup({
  options,
  kind,
  heading,
  idPrefix,
  optionId,
  active,
  onActivate,
  onChoose,
}: {
  options: SearchOption[]
  kind: SearchOption['kind']
  heading: string
  idPrefix: string
  optionId: (index: number) => string
  active: number
  onActivate: (index: number) => void
  onChoose: (option: SearchOption) => void
}) {
  const group = options.map((option, index) => ({ option, index })).filter(({ option }) => option.kind === kind)
  if (group.length === 0) return null
  const click = (event: MouseEvent, option: SearchOption) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return
    event.preventDefault()
    onChoose(option)
  }
  return (
    <li role="presentation">
      <p id={`${idPrefix}-${kind}-heading`} className="px-3 pb-1 pt-2 text-xs font-semibold uppercase tracking-wide text-slate-500">
        {heading}
      </p>
      <ul role="group" aria-labelledby={`${idPrefix}-${kind}-heading`}>
        {group.map(({ option, index }) => (
          <li key={option.key} role="presentation">
            <a
              id={optionId(index)}
              role="option"
              aria-selected={index === active}
              href={option.href}
              tabIndex={-1}
              onMouseMove={() => onActivate(index)}
              onClick={(event) => click(event, option)}
              className={`block px-3 py-1.5 ${index === active ? 'bg-sky-100' : ''}`}
            >
              <span className="block break-words font-mono">{option.label}</span>
              {option.description ? <span className="block truncate text-xs text-slate-500">{option.description}</span> : null}
            </a>
          </li>
        ))}
      </ul>
    </li>
  )
}
