// The naming rules of the registry, in words, for error messages: people read these, so they
// describe the grammar (registry-core/src/grammar.ts, lib/projects/names.ts) instead of quoting it.

export const NAMESPACE_RULE = "2–64 lowercase letters and digits, separated by single '.', '_' or '-'"

export const REPOSITORY_NAME_RULE =
  "a repository name is one or more parts separated by '/', each of lowercase letters and digits separated by '.', '_', '__' or dashes (for example app or team/app), at most 255 characters with its project"

export const TAG_RULE = "a tag is 1–128 letters, digits, '_', '.' or '-', not starting with '.' or '-'"

export const DIGEST_RULE = 'a digest is sha256: followed by 64 lowercase hexadecimal digits (or sha512: followed by 128)'
