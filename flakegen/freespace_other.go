//go:build !linux && !darwin

package flakegen

// freeSpaceAt cannot tell on this system; Apply's rollback still removes
// everything a failed write created.
func freeSpaceAt(string) (freeSpace, bool) { return freeSpace{}, false }
