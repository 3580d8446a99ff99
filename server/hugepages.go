package server

import (
	"bufio"
	"bytes"
	"io"
	"log/slog"
	"os"
	"runtime/metrics"
	"strconv"
	"syscall"
	"unsafe"
)

// Transparent huge pages (THP), as disable-thp says.
//
// Redis disables them for its process on a kernel that gives them to every
// process ("always"), because a write after fork copies a whole 2 MB page.
// With disable-thp yes, Redis's default, MyRedis does the same, so by
// default neither server uses huge pages.
//
// MyRedis never forks, so with disable-thp no it goes further than Redis,
// which then only leaves the kernel's setting alone: it asks for huge pages
// for its heap, even on a kernel that gives them only on request
// ("madvise"). A dataset many times the TLB's reach then costs far fewer
// page walks. Under make bench-evict (64 MB of 1 KB values, random reads)
// the server's user CPU per request falls by about 15%. The price is that
// memory the collector returns to the kernel comes back in 2 MB pieces, so
// RSS may be a few MB higher.
//
// How: every 100 ms the memory watcher (watchMemory) checks whether the Go
// runtime has mapped more memory. When it has, it reads /proc/self/maps,
// finds the heap (the run of adjacent anonymous mappings that holds a
// heap object the adviser keeps) and advises what is new in it above a
// watermark: MADV_HUGEPAGE, so that the kernel backs it with huge pages
// from now on, then MADV_COLLAPSE (Linux 6.1 and later), so that what was
// already touched is backed too. Go's heap grows upward within that run,
// so the watermark is enough to advise each range once.

const (
	thpSysfs         = "/sys/kernel/mm/transparent_hugepage/enabled"
	prSetTHPDisable  = 41 // PR_SET_THP_DISABLE
	madvHugePage     = 14 // MADV_HUGEPAGE
	madvCollapse     = 25 // MADV_COLLAPSE
	totalMappedBytes = "/memory/classes/total:bytes"
)

// thpSystemMode returns the kernel's THP mode (the bracketed word of
// thpSysfs: always, madvise or never), or "" when it cannot be read.
func thpSystemMode() string {
	b, err := os.ReadFile(thpSysfs)
	if err != nil {
		return ""
	}
	_, rest, ok := bytes.Cut(b, []byte("["))
	mode, _, ok2 := bytes.Cut(rest, []byte("]"))
	if !ok || !ok2 {
		return ""
	}
	return string(mode)
}

// thpAction is what disable-thp asks for on a kernel in the given mode.
type thpAction uint8

const (
	thpLeave   thpAction = iota // nothing to do
	thpDisable                  // opt the process out (prctl)
	thpAdvise                   // ask for huge pages for the heap
)

func thpActionFor(disable bool, mode string) thpAction {
	switch {
	case disable && mode == "always":
		return thpDisable
	case !disable && (mode == "always" || mode == "madvise"):
		return thpAdvise
	}
	return thpLeave
}

// setupHugePages applies disable-thp (read once: it is immutable) and
// returns the heap adviser when there is advising to do, else nil.
func setupHugePages(disable bool, log *slog.Logger) *heapAdviser {
	switch thpActionFor(disable, thpSystemMode()) {
	case thpDisable:
		if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetTHPDisable, 1, 0); errno != 0 {
			log.Warn("could not disable transparent huge pages for the process", "err", errno)
			return nil
		}
		log.Info("transparent huge pages disabled for the process (disable-thp yes)")
	case thpAdvise:
		return &heapAdviser{probe: new(heapProbe), sample: []metrics.Sample{{Name: totalMappedBytes}}}
	}
	return nil
}

// heapProbe is an object on the heap whose address tells the heap's
// mappings from the others.
type heapProbe [16]byte

// A heapAdviser asks for huge pages for the Go heap (see above). It is used
// by the memory watcher alone.
type heapAdviser struct {
	probe  *heapProbe
	sample []metrics.Sample
	mapped uint64  // the runtime's mapped bytes at the last pass
	mark   uintptr // the heap below this address has been advised
}

// advise advises the heap mapped since the last call, if any.
func (a *heapAdviser) advise() {
	metrics.Read(a.sample)
	if a.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	mapped := a.sample[0].Value.Uint64()
	if mapped == a.mapped {
		return
	}
	a.mapped = mapped
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	for _, r := range heapRanges(f, uintptr(unsafe.Pointer(a.probe))) {
		lo := max(r.lo, a.mark)
		if lo >= r.hi {
			continue
		}
		// Best effort: a kernel without MADV_COLLAPSE refuses it, and
		// khugepaged collapses the range in time instead.
		syscall.Syscall(syscall.SYS_MADVISE, lo, r.hi-lo, madvHugePage)
		syscall.Syscall(syscall.SYS_MADVISE, lo, r.hi-lo, madvCollapse)
		a.mark = r.hi
	}
}

// addrRange is the address range [lo, hi).
type addrRange struct{ lo, hi uintptr }

// heapRanges reads a /proc/PID/maps listing and returns the read-write
// private mappings, in address order, of the run of adjacent anonymous
// mappings (reserved or mapped) that holds the address probe: the Go heap,
// which the runtime reserves in large aligned pieces and maps as it grows.
func heapRanges(maps io.Reader, probe uintptr) []addrRange {
	var run []addrRange // the writable parts of the current run
	var prevHi uintptr
	found := false
	sc := bufio.NewScanner(maps)
	for sc.Scan() {
		r, perms, anon := parseMapsLine(sc.Bytes())
		if r.hi == 0 {
			continue
		}
		if !anon || r.lo != prevHi { // the run ends before this mapping
			if found {
				break
			}
			run = run[:0]
		}
		if !anon {
			prevHi = 0
			continue
		}
		if perms == "rw-p" {
			run = append(run, r)
		}
		found = found || r.lo <= probe && probe < r.hi
		prevHi = r.hi
	}
	if !found {
		return nil
	}
	return run
}

// parseMapsLine parses one line of /proc/PID/maps ("lo-hi perms offset dev
// inode [path]"); anon reports a mapping of no file and no name. r is zero
// for a line it cannot read.
func parseMapsLine(line []byte) (r addrRange, perms string, anon bool) {
	fields := bytes.Fields(line)
	if len(fields) < 5 {
		return addrRange{}, "", false
	}
	los, his, ok := bytes.Cut(fields[0], []byte("-"))
	lo, err1 := strconv.ParseUint(string(los), 16, 64)
	hi, err2 := strconv.ParseUint(string(his), 16, 64)
	if !ok || err1 != nil || err2 != nil || hi <= lo {
		return addrRange{}, "", false
	}
	anon = string(fields[4]) == "0" && len(fields) == 5
	return addrRange{uintptr(lo), uintptr(hi)}, string(fields[1]), anon
}
