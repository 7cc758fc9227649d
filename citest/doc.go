// Package citest holds the tests of queuefix against the tools that
// consume its output in CI: the SARIF 2.1.0 schema, reviewdog's SARIF
// parser, and the repository's GitHub Action. It is a module of its own so
// that those tools never become dependencies of queuefix itself.
package citest
