package main

import (
	"database/sql"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// startMariaDB starts a private mariadbd (its own data directory and unix
// socket, no TCP) stopped at cleanup, and returns a store config for it.
// It skips the test when MariaDB is not installed (make test's deps
// install Debian's mariadb-server when run as root).
func startMariaDB(t *testing.T) Config {
	server, err1 := exec.LookPath("mariadbd")
	if err1 != nil {
		server, err1 = exec.LookPath("/usr/sbin/mariadbd")
	}
	install, err2 := exec.LookPath("mariadb-install-db")
	if err1 != nil || err2 != nil {
		t.Skip("MariaDB is not installed (mariadbd, mariadb-install-db): apt-get install mariadb-server, or make deps as root")
	}
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data, sock := filepath.Join(dir, "data"), filepath.Join(dir, "mysqld.sock")
	out, err := exec.Command(install, "--no-defaults", "--datadir="+data, "--user="+me.Username,
		"--auth-root-authentication-method=normal", "--skip-test-db").CombinedOutput()
	if err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	p := startProc(t, dir, "mariadbd", server, "--no-defaults", "--datadir="+data, "--socket="+sock,
		"--skip-networking", "--pid-file="+filepath.Join(dir, "mariadbd.pid"), "--user="+me.Username,
		"--innodb-buffer-pool-size=32M")
	mc := mysql.NewConfig()
	mc.User, mc.Net, mc.Addr = "root", "unix", sock
	waitUntil(t, 30*time.Second, "mariadbd on "+sock, func() bool {
		db, err := sql.Open("mysql", mc.FormatDSN())
		if err != nil {
			return false
		}
		defer db.Close()
		select {
		case <-p.done:
			b, _ := os.ReadFile(p.log)
			t.Fatalf("mariadbd exited:\n%s", b)
		default:
		}
		return db.Ping() == nil
	})
	return Config{MySQL: &MySQL{Host: sock, User: "root", DBName: "seckill"}}
}
