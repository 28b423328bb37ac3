'use client'
// Personal access tokens: the list (./tokens/token-list), a form to create one (./tokens/create-token-form)
// and the new token's secret, shown once with a copy button.
import { useState } from 'react'
import type { CreatedAccessToken } from '@/lib/tokens/schema'
import { SecretReveal } from './secret-reveal'
import { CreateTokenForm } from './tokens/create-token-form'
import { TokenList } from './tokens/token-list'
import { Card } from './ui'

export function AccessTokens({ username }: { username: string }) {
  const [created, setCreated] = useState<CreatedAccessToken | null>(null)
  return (
    <Card
      title="Personal access tokens"
      headingId="tokens-heading"
      description={
        <>
          Use a token instead of your password for <code className="rounded bg-slate-200 px-1">docker login</code>, podman, skopeo and the API. A token never allows more than you
          can do yourself, and cannot manage your account.
        </>
      }
    >
      {created && (
        <div className="mb-5">
          <SecretReveal
            title={`Token “${created.name}” created`}
            secret={created.secret}
            label="Token secret"
            ifLost="revoke the token and create a new one"
            testId="new-token"
            secretTestId="token-secret"
            onDismiss={() => setCreated(null)}
          >
            <p>
              Use it as the password:{' '}
              <code className="rounded bg-amber-100 px-1">
                docker login -u {username} {typeof window === 'undefined' ? '' : window.location.host}
              </code>
            </p>
          </SecretReveal>
        </div>
      )}
      <CreateTokenForm onCreated={setCreated} />
      <TokenList onRevoked={(id) => setCreated((current) => (current?.id === id ? null : current))} />
    </Card>
  )
}
