// Command seckill is the flash-sale service of MyRedis's seed, built on
// MyRedis: web servers that check tokens and sell through one Lua script
// (serve), consumers that move accepted orders from a stream into SQL
// (worker), and a load generator (load). See README.md.
package main

import (
	"fmt"
	"os"
)

const usage = `usage: seckill SUBCOMMAND -config config.json [flags]

subcommands:
  serve   the web server: /, /token, /check, /stock, /admin/stock
  worker  moves orders from MyRedis's streams into the store
  load    sends buy attempts through the web servers and reports rps and latency
  audit   checks MyRedis against the store and prints the sale's totals

Run "seckill SUBCOMMAND -h" for a subcommand's flags.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	run, ok := subcommands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "seckill: unknown subcommand %q\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err := run(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "seckill %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

// subcommands maps each subcommand to its entry point, which parses its
// own flags.
var subcommands = map[string]func(args []string) error{
	"serve":  serveMain,
	"worker": workerMain,
	"load":   loadMain,
	"audit":  auditMain,
}
