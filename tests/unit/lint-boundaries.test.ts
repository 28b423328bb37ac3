// The import boundaries of eslint.config.js (CONTRIBUTING.md's layer map), checked on snippets
// linted as if they were files in each directory.
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint({ cwd: process.cwd() })

/** The import sources the boundary rules report in `code` at `filePath`, with the severity (2 error, 1 warning). */
async function restricted(filePath: string, code: string): Promise<Array<[string, number]>> {
  const [result] = await eslint.lintText(code, { filePath })
  return result.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((m) => [/'([^']+)'/.exec(m.message)?.[1] ?? m.message, m.severity])
}

describe('import boundaries', () => {
  it('registry-core imports nothing from the app or its frameworks', async () => {
    const code = [
      "import { loadConfig } from '../../../lib/config'",
      "import next from 'next'",
      "import { NextResponse } from 'next/server'",
      "import { PrismaClient } from '@prisma/client'",
      "import pino from 'pino'",
      "import pg from 'pg'",
      "import { useState } from 'react'",
      "import { getServerSession } from 'next-auth'",
      "import { createHash } from 'node:crypto'",
      "import { RegistryError } from '../errors'",
      'console.log(loadConfig, next, NextResponse, PrismaClient, pino, pg, useState, getServerSession, createHash, RegistryError)',
    ].join('\n')
    expect(await restricted('registry-core/src/handlers/example.ts', code)).toEqual([
      ['../../../lib/config', 2],
      ['next', 2],
      ['next/server', 2],
      ['@prisma/client', 2],
      ['pino', 2],
      ['pg', 2],
      ['react', 2],
      ['next-auth', 2],
    ])
  })

  it('lib/ imports nothing from app/ or components/', async () => {
    const code = "import { a } from '../app/page'\nimport { b } from '@/components/ui'\nimport { c } from './config'\nconsole.log(a, b, c)"
    expect(await restricted('lib/example.ts', code)).toEqual([
      ['../app/page', 2],
      ['@/components/ui', 2],
    ])
  })

  it('components import values only from pure lib/ modules, and server modules only as types', async () => {
    const code = [
      "import { getPrisma } from '@/lib/db/prisma'",
      "import type { PrismaClient } from '@/lib/db/prisma'",
      "import { can } from '@/lib/auth/permissions'",
      "import { countOf } from '../lib/plural'",
      "import { signIn } from 'next-auth/react'",
      "import { getServerSession } from 'next-auth'",
      "import { readFile } from 'node:fs/promises'",
      "import { isValidTag } from '@/registry-core/src'",
      'console.log(getPrisma, can, countOf, signIn, getServerSession, readFile, isValidTag)',
      'export type Client = PrismaClient',
    ].join('\n')
    expect(await restricted('components/example.tsx', code)).toEqual([
      ['@/lib/db/prisma', 2],
      ['next-auth', 2],
      ['node:fs/promises', 2],
      ['@/registry-core/src', 2],
    ])
  })

  it('response schema modules import values only from zod, schema modules and pure lib/ modules', async () => {
    const code = [
      "import { z } from 'zod'",
      "import { platformSchema } from '../artifacts/schema'",
      "import { PROJECT_ROLES } from '../auth/permissions'",
      "import { SUBSCRIBABLE_EVENT_TYPES } from './event-types'",
      "import type { PrismaClient } from '../db/prisma'",
      "import { getPrisma } from '../db/prisma'",
      "import { loadConfig } from '@/lib/config'",
      "import { randomUUID } from 'node:crypto'",
      'console.log(z, platformSchema, PROJECT_ROLES, SUBSCRIBABLE_EVENT_TYPES, getPrisma, loadConfig, randomUUID)',
      'export type Client = PrismaClient',
    ].join('\n')
    expect(await restricted('lib/webhooks/schema.ts', code)).toEqual([
      ['../db/prisma', 2],
      ['@/lib/config', 2],
      ['node:crypto', 2],
    ])
  })

  it('outside registry-core and tests, registry-core is imported through its entry point', async () => {
    const code = "import { a } from '@/registry-core/src/grammar'\nimport { b } from '@/registry-core/src'\nconsole.log(a, b)"
    expect(await restricted('app/example.tsx', code)).toEqual([['@/registry-core/src/grammar', 2]])
    expect(await restricted('tests/unit/example.test.ts', code)).toEqual([])
  })

  it('domain modules do not import lib/api/', async () => {
    const code =
      "import { notFound } from '../api/errors'\nimport { skipTake } from '@/lib/api/pagination'\nimport { getPrisma } from '../db/prisma'\nconsole.log(notFound, skipTake, getPrisma)"
    expect(await restricted('lib/users/example.ts', code)).toEqual([
      ['../api/errors', 2],
      ['@/lib/api/pagination', 2],
    ])
    expect(await restricted('lib/api/example.ts', "import { notFound } from './errors'\nconsole.log(notFound)")).toEqual([])
  })
})
