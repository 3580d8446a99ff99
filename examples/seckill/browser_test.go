package main

import (
	"context"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPageInBrowser drives the page at / in headless Chromium: it shows
// the stock, Buy gets a token and calls /check, the success message
// appears and the stock shown goes down by one. Skipped when Chromium is
// not installed (make deps installs Debian's chromium when root).
func TestPageInBrowser(t *testing.T) {
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("Chromium is not installed: apt-get install chromium, or make deps as root")
	}
	n := startNodes(t)
	cfg, err := ParseConfig([]byte(validConfig))
	require.NoError(t, err)
	cfg.Redis.Addrs = n.addrs
	cfg.Products = []Product{{ID: "page-phone", Stock: 5}}
	rdb := newRedisClient(cfg.Redis)
	t.Cleanup(func() { rdb.Close() })
	sale := &Sale{rdb: rdb}
	ctx := context.Background()
	require.NoError(t, sale.Load(ctx))
	require.NoError(t, sale.Stock(ctx, cfg.Products[0]))
	web := httptest.NewServer(NewAPI(cfg, sale, time.Now).Handler())
	t.Cleanup(web.Close)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	// The first Run starts the browser and must not have a deadline (it
	// would stop the browser); the steps after it share one.
	require.NoError(t, chromedp.Do(bctx, chromedp.Navigate(web.URL+"/")))
	bctx, cancelTimeout := context.WithTimeout(bctx, 30*time.Second)
	t.Cleanup(cancelTimeout)

	const card = `.product[data-pid="page-phone"] `
	stockIs := func(v string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](`document.querySelector('`+card+`.stock').textContent === "`+v+`"`)(ctx, tg)
			return err
		})
	}
	require.NoError(t, chromedp.Do(bctx, stockIs("5")))
	before, err := chromedp.Run(bctx, chromedp.Text(card+".stock"))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(bctx, chromedp.Click(card+".buy"), chromedp.WaitVisible(card+".answer.ok")))
	answer, err := chromedp.Run(bctx, chromedp.Text(card+".answer"))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(bctx, stockIs("4")))
	after, err := chromedp.Run(bctx, chromedp.Text(card+".stock"))
	require.NoError(t, err)
	assert.Equal(t, "5", before)
	assert.True(t, strings.HasPrefix(answer, "Bought! Order "), answer)
	assert.Equal(t, "4", after)
	left, sold, err := sale.Counts(ctx, "page-phone")
	require.NoError(t, err)
	assert.Equal(t, [2]int64{4, 1}, [2]int64{left, sold})
}
