// Runs in the browser before any module of the app (Next.js loads it ahead of hydration). zod decides
// whether to compile an object schema's fast parser by probing `new Function`, which the strict
// Content-Security-Policy (no 'unsafe-eval') reports as a violation on every page that builds one.
// Jitless mode skips the probe and parses by interpretation; browser-side parsing is tiny.
import { config } from 'zod/v4/core'

config({ jitless: true })
