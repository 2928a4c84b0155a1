// Package installtest tests scripts/install.sh, the one-line start, by
// running it with a real sh, curl, tar and sha256sum against release files
// served on 127.0.0.1: the snapshot build's dist/ when there is one, else
// an archive the test builds itself. It has no code of its own.
package installtest
