package tests

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// anonHugeBytes returns how much of the server's memory the kernel backs
// with transparent huge pages.
func (s *server) anonHugeBytes() (int64, error) {
	return procKB(fmt.Sprintf("/proc/%d/smaps_rollup", s.pid()), "AnonHugePages")
}

// TestDisableTHP: with disable-thp no the server asks for huge pages for
// its heap, so most of 48 MB of values ends up in them, even on a kernel
// that gives them only on request; with Redis's default (yes) it uses none
// on such a kernel, and opts out on a kernel that gives them to all.
func TestDisableTHP(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !bytes.Contains(mode, []byte("[always]")) && !bytes.Contains(mode, []byte("[madvise]")) {
		t.Skipf("transparent huge pages are not available here (%q)", mode)
	}
	for _, tt := range []struct {
		setting  string
		min, max int64 // bounds of AnonHugePages after the fill
	}{
		{"no", 16 << 20, 1 << 40},
		{"yes", 0, 4 << 20}, // the runtime's own metadata may take one or two
	} {
		t.Run(tt.setting, func(t *testing.T) {
			s := startServer(t, "--disable-thp", tt.setting)
			c := newClient(t, s, 0)
			ctx := testContext(t, 30*time.Second)
			fill(t, ctx, c, "k", 48<<10, nil)
			var huge int64
			// The memory watcher advises the heap every 100 ms.
			for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				huge, err = s.anonHugeBytes()
				require.NoError(t, err)
				if huge >= tt.min {
					break
				}
			}
			t.Logf("AnonHugePages: %d MB", huge>>20)
			assert.GreaterOrEqual(t, huge, tt.min)
			assert.LessOrEqual(t, huge, tt.max)
			assert.Equal(t, map[string]string{"disable-thp": tt.setting}, c.ConfigGet(ctx, "disable-thp").Val())
		})
	}
}
