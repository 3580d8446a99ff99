package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// loadMain is "seckill load": it runs a LoadPlan and prints its result.
func loadMain(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	configPath := fs.String("config", "config.json", "the config file")
	servers := fs.String("servers", "", "comma-separated web server URLs (default: http://127.0.0.1:backend.api_port)")
	plan := LoadPlan{}
	fs.IntVar(&plan.Attempts, "n", 20000, "buy attempts")
	fs.IntVar(&plan.Users, "users", 5000, "distinct users the attempts come from (users repeat when n > users)")
	fs.Float64Var(&plan.Forged, "forged", 0.05, "fraction of attempts with a forged token")
	fs.IntVar(&plan.Concurrency, "c", 64, "attempts in flight")
	fs.StringVar(&plan.PID, "pid", "", "the product (default: the config's first)")
	fs.Uint64Var(&plan.Seed, "seed", 0, "random seed (0: from the clock)")
	progress := fs.Bool("progress", true, "draw a progress bar on stderr")
	fs.Parse(args)
	cfg, err := LoadConfig(*configPath)
	if err != nil {
		return err
	}
	plan.Servers = strings.Split(*servers, ",")
	if *servers == "" {
		plan.Servers = []string{"http://127.0.0.1:" + strconv.Itoa(cfg.Backend.APIPort)}
	}
	if plan.PID == "" {
		plan.PID = cfg.Products[0].ID
	}
	if *progress {
		plan.Progress = os.Stderr
	}
	res, err := plan.Run(context.Background())
	if err != nil {
		return err
	}
	fmt.Println(res)
	return nil
}

// A LoadPlan is a load run: Attempts buy attempts of product PID from
// users u0 … u(Users-1) chosen at random, Concurrency at a time, spread
// over Servers round-robin. An attempt gets a token from one server and
// calls /check on the next, which shows that the servers share nothing;
// a fraction Forged of the attempts use a forged token instead (garbage,
// another user's token, or a token with its expiry changed).
type LoadPlan struct {
	Servers     []string
	PID         string
	Attempts    int
	Users       int
	Forged      float64
	Concurrency int
	Seed        uint64    // 0: from the clock
	Progress    io.Writer // where the progress bar goes, or nil
}

// A LoadResult counts a run's answers; BoughtBy lists the users who got a
// 200 (an acknowledged sale), one entry per 200.
type LoadResult struct {
	Attempts, Bought, SoldOut, AlreadyBought, Forbidden, RateLimited, Failed int
	Forged, ForgedAccepted                                                   int
	Elapsed                                                                  time.Duration
	P50, P99                                                                 time.Duration // of /check
	BoughtBy                                                                 []string
}

// RPS is the /check requests answered per second over the whole run.
func (r LoadResult) RPS() float64 { return float64(r.Attempts) / r.Elapsed.Seconds() }

func (r LoadResult) String() string {
	return fmt.Sprintf("load: attempts=%d bought=%d sold_out=%d already_bought=%d forbidden=%d rate_limited=%d failed=%d "+
		"forged=%d forged_accepted=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f",
		r.Attempts, r.Bought, r.SoldOut, r.AlreadyBought, r.Forbidden, r.RateLimited, r.Failed,
		r.Forged, r.ForgedAccepted, r.RPS(), ms(r.P50), ms(r.P99))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// An outcome is one attempt's answer.
type outcome struct {
	status  int
	reason  string
	forged  bool
	uid     string
	latency time.Duration
}

// Run sends the plan's attempts and counts the answers. Transport errors
// count as Failed; it returns an error only for a bad plan.
func (p LoadPlan) Run(ctx context.Context) (LoadResult, error) {
	if len(p.Servers) == 0 || p.Attempts <= 0 || p.Users <= 0 || p.Concurrency <= 0 {
		return LoadResult{}, errors.New("load: want servers and positive attempts, users and concurrency")
	}
	seed := p.Seed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: p.Concurrency, MaxConnsPerHost: p.Concurrency},
	}
	defer client.CloseIdleConnections()
	var next, done atomic.Int64
	outcomes := make([]outcome, p.Attempts)
	var wg sync.WaitGroup
	start := time.Now()
	stopBar := p.drawProgress(&done, start)
	for w := range p.Concurrency {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for {
				i := int(next.Add(1) - 1)
				if i >= p.Attempts || ctx.Err() != nil {
					return
				}
				outcomes[i] = p.attempt(ctx, client, rng, i)
				done.Add(1)
			}
		})
	}
	wg.Wait()
	res := LoadResult{Elapsed: time.Since(start)}
	stopBar()
	latencies := make([]time.Duration, 0, len(outcomes))
	for _, o := range outcomes {
		res.count(o)
		if o.status != 0 {
			latencies = append(latencies, o.latency)
		}
	}
	slices.Sort(latencies)
	if n := len(latencies); n > 0 {
		res.P50, res.P99 = latencies[n*50/100], latencies[min(n-1, n*99/100)]
	}
	return res, ctx.Err()
}

func (r *LoadResult) count(o outcome) {
	r.Attempts++
	if o.forged {
		r.Forged++
	}
	switch {
	case o.status == http.StatusOK:
		r.Bought++
		r.BoughtBy = append(r.BoughtBy, o.uid)
		if o.forged {
			r.ForgedAccepted++
		}
	case o.status == http.StatusConflict && o.reason == "sold_out":
		r.SoldOut++
	case o.status == http.StatusConflict && o.reason == "already_bought":
		r.AlreadyBought++
	case o.status == http.StatusForbidden:
		r.Forbidden++
	case o.status == http.StatusTooManyRequests:
		r.RateLimited++
	default:
		r.Failed++
	}
}

// attempt is attempt i: a token from one server, /check on the next.
func (p LoadPlan) attempt(ctx context.Context, client *http.Client, rng *rand.Rand, i int) outcome {
	o := outcome{uid: "u" + strconv.Itoa(rng.IntN(p.Users)), forged: rng.Float64() < p.Forged}
	q := url.Values{"uid": {o.uid}, "pid": {p.PID}}
	var tok struct{ Token string }
	if _, err := get(ctx, client, p.Servers[i%len(p.Servers)]+"/token?"+q.Encode(), &tok); err != nil {
		return o
	}
	if o.forged {
		tok.Token = p.forge(ctx, client, rng, tok.Token)
	}
	q.Set("token", tok.Token)
	var ans struct{ Reason string }
	start := time.Now()
	status, err := get(ctx, client, p.Servers[(i+1)%len(p.Servers)]+"/check?"+q.Encode(), &ans)
	if err == nil {
		o.status, o.reason, o.latency = status, ans.Reason, time.Since(start)
	}
	return o
}

// forge returns a token that must not buy, made from a real one: random
// characters, another user's genuine token, or the real one with a later
// expiry.
func (p LoadPlan) forge(ctx context.Context, client *http.Client, rng *rand.Rand, real string) string {
	switch rng.IntN(3) {
	case 0:
		return strconv.FormatInt(time.Now().Unix()+30, 10) + "." + strconv.FormatUint(rng.Uint64(), 36)
	case 1:
		q := url.Values{"uid": {"forger" + strconv.Itoa(rng.IntN(1000))}, "pid": {p.PID}}
		var tok struct{ Token string }
		get(ctx, client, p.Servers[0]+"/token?"+q.Encode(), &tok)
		return tok.Token
	default:
		exp, mac, _ := strings.Cut(real, ".")
		n, _ := strconv.ParseInt(exp, 10, 64)
		return strconv.FormatInt(n+1, 10) + "." + mac
	}
}

// get fetches url and decodes its JSON body into v, returning the status.
func get(ctx context.Context, client *http.Client, url string, v any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, json.NewDecoder(resp.Body).Decode(v)
}

// drawProgress redraws a progress bar on p.Progress every 200 ms until the
// returned function is called, which draws it one last time.
func (p LoadPlan) drawProgress(done *atomic.Int64, start time.Time) (stop func()) {
	if p.Progress == nil {
		return func() {}
	}
	draw := func() {
		n := done.Load()
		const width = 40
		filled := int(n * width / int64(p.Attempts))
		fmt.Fprintf(p.Progress, "\r[%s%s] %d/%d %.0f/s ", strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
			n, p.Attempts, float64(n)/time.Since(start).Seconds())
	}
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				draw()
			case <-quit:
				draw()
				fmt.Fprintln(p.Progress)
				return
			}
		}
	}()
	return func() { close(quit); <-finished }
}
