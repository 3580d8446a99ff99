//go:build !linux

package aof

import (
	"errors"
	"os"
)

// aioSyncer is Linux-only (see aiosync_linux.go); elsewhere the writer
// fsyncs with a plain, blocking fsync.
type aioSyncer struct{}

func newAIOSyncer() (*aioSyncer, error) {
	return nil, errors.New("asynchronous fsync needs Linux native AIO")
}

func (s *aioSyncer) sync(f *os.File) error { return f.Sync() }

func (s *aioSyncer) close() {}
