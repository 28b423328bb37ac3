// Cells of the `can` matrix that the registry relies on: robots (grants per project, never beyond)
// and access-token ceilings (a cap on the owner's role, never a grant of its own).
import { describe, expect, it } from 'vitest'
import {
  can,
  mayLearnProjectIsMissing,
  permittedActions,
  PROJECT_ACTIONS,
  registryActions,
  type ProjectContext,
  type Subject,
  type TokenPermission,
} from '../../../lib/auth/permissions'

const priv: ProjectContext = { projectId: 1, public: false }
const pub: ProjectContext = { projectId: 2, public: true }
const robot = (grants: [number, ('pull' | 'push' | 'delete')[]][]): Subject => ({
  kind: 'robot',
  robotId: 9,
  name: 'robot$p+ci',
  grants: new Map(grants.map(([p, a]) => [p, new Set(a)])),
})
const user = (role: ProjectContext['role'], token?: TokenPermission, isAdmin = false): [Subject, ProjectContext] => [
  { kind: 'user', userId: 3, username: 'u', isAdmin, ...(token ? { token: { id: 1, permission: token } } : {}) },
  { ...priv, role },
]

describe('robots', () => {
  it('hold exactly their grants in the granted project', () => {
    expect(registryActions(robot([[1, ['pull']]]), priv)).toEqual(['pull'])
    expect(registryActions(robot([[1, ['push']]]), priv)).toEqual(['push'])
    expect(registryActions(robot([[1, ['pull', 'push', 'delete']]]), priv)).toEqual(['pull', 'push', 'delete'])
  })
  it('hold nothing in other private projects, and only public pulls in public ones', () => {
    expect(registryActions(robot([[1, ['pull', 'push', 'delete']]]), { projectId: 3, public: false })).toEqual([])
    expect(registryActions(robot([[1, ['pull', 'push', 'delete']]]), pub)).toEqual(['pull'])
  })
  it('never manage anything', () => {
    const r = robot([[1, ['pull', 'push', 'delete']]])
    for (const a of ['member:manage', 'robot:manage', 'project:update', 'project:delete', 'webhook:manage'] as const) expect(can(r, a, priv)).toBe(false)
  })
})

describe('access token ceilings', () => {
  it.each([
    ['read', ['pull']],
    ['readWrite', ['pull', 'push']],
    ['readWriteDelete', ['pull', 'push', 'delete']],
  ] as const)('%s caps a project admin at %j', (permission, expected) => {
    expect(registryActions(...user('projectAdmin', permission))).toEqual(expected)
  })
  it('never raise the role: a read-write-delete token of a developer cannot delete', () => {
    expect(registryActions(...user('developer', 'readWriteDelete'))).toEqual(['pull', 'push'])
    expect(registryActions(...user('guest', 'readWriteDelete'))).toEqual(['pull'])
    expect(registryActions(...user(null, 'readWriteDelete'))).toEqual([])
  })
  it('cap system admins too, and never reach management', () => {
    expect(registryActions(...user(null, 'read', true))).toEqual(['pull'])
    expect(can(...([user(null, 'readWriteDelete', true)[0], 'member:manage', priv] as const))).toBe(false)
  })
  it('public projects stay pullable for everyone', () => {
    expect(registryActions({ kind: 'anonymous' }, pub)).toEqual(['pull'])
    expect(registryActions({ kind: 'anonymous' }, priv)).toEqual([])
  })
})

describe('permittedActions (what the project API tells the dashboard)', () => {
  it('lists exactly the actions can() allows, for every role, anonymous callers and tokens', () => {
    const subjects: [Subject, ProjectContext][] = [
      [{ kind: 'anonymous' }, pub],
      [{ kind: 'anonymous' }, priv],
      ...(['limitedGuest', 'guest', 'developer', 'maintainer', 'projectAdmin', null] as const).map((role) => user(role)),
      user('maintainer', 'read'),
      user(null, undefined, true),
      [robot([[1, ['pull', 'push']]]), priv],
    ]
    for (const [subject, project] of subjects) {
      expect(permittedActions(subject, project)).toEqual(PROJECT_ACTIONS.filter((action) => can(subject, action, project)))
    }
    expect(permittedActions({ kind: 'anonymous' }, pub)).toEqual(['project:read', 'repository:pull'])
    expect(permittedActions({ kind: 'anonymous' }, priv)).toEqual([])
    expect(permittedActions(...user('developer'))).toEqual(['project:read', 'repository:pull', 'repository:push', 'member:list', 'audit:read'])
    expect(permittedActions(...user('maintainer', 'read'))).toEqual(['project:read', 'repository:pull', 'member:list', 'robot:list'])
    expect(permittedActions(...user(null, undefined, true))).toEqual(PROJECT_ACTIONS)
  })
})

describe('who may learn that a project does not exist', () => {
  it('system admins (who read every project), through an access token too; nobody else', () => {
    expect(mayLearnProjectIsMissing(user(null, undefined, true)[0])).toBe(true)
    expect(mayLearnProjectIsMissing(user(null, 'read', true)[0])).toBe(true)
    expect(mayLearnProjectIsMissing(user(null)[0])).toBe(false)
    expect(mayLearnProjectIsMissing(user(null, 'readWriteDelete')[0])).toBe(false)
    expect(mayLearnProjectIsMissing(robot([[1, ['pull', 'push', 'delete']]]))).toBe(false)
    expect(mayLearnProjectIsMissing({ kind: 'anonymous' })).toBe(false)
  })
})
