// vitest setupFiles for unit and database tests: each test file starts with a runtime built from the
// environment, as server.ts builds one; its database and blob store open only if a test touches
// them. Tests that need their own services install their own (lib/runtime/build.ts).
import { installRuntime } from '../lib/runtime'
import { runtimeFromEnvironment } from '../lib/runtime/build'

installRuntime(runtimeFromEnvironment())
