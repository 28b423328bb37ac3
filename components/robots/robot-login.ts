/** The name a robot account logs in with (`robot$project+name`); the API may already return it. */
export function robotLogin(project: string, name: string): string {
  return name.startsWith('robot$') ? name : `robot$${project}+${name}`
}
