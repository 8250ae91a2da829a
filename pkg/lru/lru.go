// Package lru is a least-recently-used cache bounded by the bytes of what
// it holds, for immutable things served from memory (published revisions):
// a count alone would not bound memory when one value can be a hundred
// times the size of another.
package lru

import (
	"container/list"
	"sync"
)

// Cache maps keys to values of a known size; safe for concurrent use.
// Values are shared between callers: keep only what nobody changes.
type Cache[K comparable, V any] struct {
	mu       sync.Mutex
	maxBytes int
	bytes    int
	order    *list.List // front: most recently used
	entries  map[K]*list.Element
}

type entry[K comparable, V any] struct {
	key   K
	value V
	size  int
}

// New returns a cache that holds at most maxBytes of values.
func New[K comparable, V any](maxBytes int) *Cache[K, V] {
	return &Cache[K, V]{maxBytes: maxBytes, order: list.New(), entries: map[K]*list.Element{}}
}

// Get returns the value of key, and whether there was one.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*entry[K, V]).value, true
}

// Add keeps value under key, as size bytes, dropping the least recently
// used values until it fits. A value larger than the whole cache is not
// kept.
func (c *Cache[K, V]) Add(key K, value V, size int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.remove(el)
	}
	if size > c.maxBytes {
		return
	}
	c.entries[key] = c.order.PushFront(&entry[K, V]{key: key, value: value, size: size})
	c.bytes += size
	for c.bytes > c.maxBytes {
		c.remove(c.order.Back())
	}
}

func (c *Cache[K, V]) remove(el *list.Element) {
	e := c.order.Remove(el).(*entry[K, V])
	delete(c.entries, e.key)
	c.bytes -= e.size
}

// Len returns the number of values held, and their bytes.
func (c *Cache[K, V]) Len() (n, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries), c.bytes
}
