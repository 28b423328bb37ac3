'use client'
// Admin → Garbage collection (system admins only): run now or dry run, the schedule, and the history
// of runs with each one's log, against /api/v1/system/gc.
import { AdminPage } from './admin/admin-page'
import { GcHistory } from './gc/history'
import { RunGc } from './gc/run-gc'
import { GcScheduleCard } from './gc/schedule-card'

export function GcView() {
  return (
    <AdminPage
      title="Garbage collection"
      intro="Frees the storage of blobs that no artifact references any more, while pushes and pulls go on. Blobs pushed within the grace period are kept, as a push may still be sending their manifest."
    >
      {() => (
        <>
          <div className="mt-8 grid gap-6 lg:grid-cols-2">
            <RunGc />
            <GcScheduleCard />
          </div>
          <div className="mt-6">
            <GcHistory />
          </div>
        </>
      )}
    </AdminPage>
  )
}
