// The Admin page's "Registries" section: the upstream registry endpoints proxy-cache projects pull through (issue #12).
export { RegistriesSection } from './section'
