// When each cached tag was last confirmed against its upstream: kept by the index when it can (so
// every replica sees it), else remembered in this process.
import type { RegistryIndex } from '../ports'

export interface TagChecks {
  checkedAt(repository: string, tag: string): Promise<Date | null>
  mark(repository: string, tag: string, at: Date): Promise<void>
}

export function tagChecks(index: RegistryIndex): TagChecks {
  const { tagCheckedAt, markTagChecked } = index
  if (tagCheckedAt && markTagChecked) {
    return {
      checkedAt: (repository, tag) => tagCheckedAt.call(index, repository, tag),
      mark: (repository, tag, at) => markTagChecked.call(index, repository, tag, at),
    }
  }
  const checks = new Map<string, Date>()
  return {
    checkedAt: async (repository, tag) => checks.get(`${repository}:${tag}`) ?? null,
    mark: async (repository, tag, at) => void checks.set(`${repository}:${tag}`, at),
  }
}
