package nixlog

// ring keeps the newest items up to a bound, oldest first. Once full it
// overwrites the oldest slot in place, so a slot's buffers (a line's bytes)
// are reused instead of reallocated; a ring made from a recycled slice
// reuses the slots left beyond its length in the same way.
type ring[T any] struct {
	items []T
	next  int
	full  bool
}

// slot returns the slot the newest item goes into, the ring holding at
// most max items. The slot still holds what was there before (a recycled
// or overwritten item): the caller sets every field, reusing its buffers.
func (r *ring[T]) slot(max int) *T {
	if !r.full {
		n := len(r.items)
		if n < cap(r.items) {
			r.items = r.items[:n+1]
		} else {
			var zero T
			r.items = append(r.items, zero)
		}
		if n+1 >= max {
			r.full = true
		}
		return &r.items[n]
	}
	p := &r.items[r.next]
	r.next++
	if r.next == len(r.items) {
		r.next = 0
	}
	return p
}

// len is how many items the ring holds.
func (r *ring[T]) len() int { return len(r.items) }

// newest calls f on up to n newest items, oldest first (all items when
// n <= 0).
func (r *ring[T]) newest(n int, f func(*T)) {
	total := len(r.items)
	if n <= 0 || n > total {
		n = total
	}
	start := 0
	if r.full {
		start = r.next
	}
	for k := total - n; k < total; k++ {
		f(&r.items[(start+k)%total])
	}
}

// recycle returns the ring's slice emptied, its slots kept for a new ring.
func (r *ring[T]) recycle() []T { return r.items[:0] }
