package main

import (
	"context"
	"errors"
	"sync"
)

// A Service holds the generators of one idgo process. Generators are
// created on first use: by SET, or by GET/EXISTS of a key whose counter
// exists in the store (written by an earlier run or another process). A
// GET of a key whose counter does not exist creates nothing and answers 0.
//
// Its methods are safe for concurrent use; mu guards gens and is never held
// across a store call.
type Service struct {
	store Store
	batch int64

	mu   sync.RWMutex
	gens map[string]*Generator
}

// NewService returns a service leasing batch IDs at a time from store.
func NewService(store Store, batch int64) *Service {
	return &Service{store: store, batch: batch, gens: make(map[string]*Generator)}
}

// lookup returns the generator of key, or nil.
func (s *Service) lookup(key []byte) *Generator {
	s.mu.RLock()
	g := s.gens[string(key)]
	s.mu.RUnlock()
	return g
}

// generator returns the generator of key, creating it when there is none.
func (s *Service) generator(key string) *Generator {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.gens[key]
	if g == nil {
		g = NewGenerator(s.store, key, s.batch)
		s.gens[key] = g
	}
	return g
}

// Next returns the next ID of key, or 0 when its counter does not exist
// (GET of a generator never set, or deleted).
func (s *Service) Next(ctx context.Context, key []byte) (int64, error) {
	if g := s.lookup(key); g != nil {
		if id, err := g.Next(ctx); !errors.Is(err, errNotSet) {
			return id, err
		}
	}
	// Unknown here, or deleted through this process: an earlier run or
	// another process may have set it.
	ok, err := s.store.Exists(ctx, string(key))
	if err != nil || !ok {
		return 0, err
	}
	g := s.generator(string(key))
	g.MarkKnown()
	id, err := g.Next(ctx)
	if errors.Is(err, errNotSet) { // deleted meanwhile
		return 0, nil
	}
	return id, err
}

// Set is SET key n: see Generator.Set.
func (s *Service) Set(ctx context.Context, key []byte, n int64) error {
	return s.generator(string(key)).Set(ctx, n)
}

// Exists reports whether the counter of key exists in the store.
func (s *Service) Exists(ctx context.Context, key []byte) (bool, error) {
	return s.store.Exists(ctx, string(key))
}

// Del removes the counter of key and reports whether it existed. A
// generator this process holds drops its blocks first.
func (s *Service) Del(ctx context.Context, key []byte) (bool, error) {
	if g := s.lookup(key); g != nil {
		return g.Del(ctx)
	}
	return s.store.Del(ctx, string(key))
}
