package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// maxIncludeDepth bounds include nesting, so that a file including itself
// fails instead of looping.
const maxIncludeDepth = 16

// Load returns the defaults overridden by the configuration file at path
// (none if path is empty), then by command-line style args such as
// ["--port", "7000", "--save", "900", "1", "300", "10", "--peers", ""]:
// each "--name" starts a directive and the arguments up to the next
// "--name" are its values.
//
// The file is read with Redis's rules: one directive per line, "#"
// comments, arguments split and quoted as redis.conf does, names in any
// case, the last value of a parameter wins, except that "save" lines add up
// (the first one replaces the default; save "" empties the list).
// "include path" reads another file at that point; like Redis, a relative
// path is relative to the process's working directory, not to the including
// file, and a path with glob characters includes every match (none is
// fine). The deprecated list-max-ziplist-entries, list-max-ziplist-value and
// lua-replicate-commands are accepted and ignored, as in Redis 7.0.
//
// An unknown directive or a bad value is an error naming the file, line
// number, line and reason, e.g.
//
//	redis.conf:12: 'port abc': argument couldn't be parsed into an integer
//
// and a bad override names the argument:
//
//	command line '--port abc': argument couldn't be parsed into an integer
func Load(path string, args []string) (*Config, error) {
	c := Default()
	l := &loader{c: c}
	if path != "" {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, err
		}
		c.path = abs
		if err := l.file(path); err != nil {
			return nil, err
		}
	}
	if err := l.overrides(args); err != nil {
		return nil, err
	}
	return c, nil
}

// A loader applies directives to a Config that is not shared yet.
type loader struct {
	c     *Config
	depth int  // include nesting
	saved bool // a save directive was read: the next ones add to it
}

// A placedError is a load error that already names its file and line, so
// that an error inside an included file is not placed twice.
type placedError struct{ msg string }

func (e *placedError) Error() string { return e.msg }

// file reads one configuration file.
func (l *loader) file(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.Trim(line, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		args, ok := splitArgs(line)
		var err error
		switch {
		case !ok:
			err = errors.New("Unbalanced quotes in configuration line")
		case len(args) > 0:
			err = l.directive(args)
		}
		var placed *placedError
		if errors.As(err, &placed) {
			return err
		}
		if err != nil {
			return &placedError{fmt.Sprintf("%s:%d: '%s': %v", path, n+1, line, err)}
		}
	}
	return nil
}

// overrides applies command-line style arguments.
func (l *loader) overrides(args []string) error {
	for i := 0; i < len(args); {
		j := i + 1
		for j < len(args) && !strings.HasPrefix(args[j], "--") {
			j++
		}
		name, ok := strings.CutPrefix(args[i], "--")
		var err error
		if !ok || name == "" {
			err = errors.New("expected --name before values")
		} else {
			err = l.directive(append([]string{name}, args[i+1:j]...))
		}
		var placed *placedError
		if errors.As(err, &placed) {
			return err
		}
		if err != nil {
			return fmt.Errorf("command line '%s': %v", showArgs(args[i:j]), err)
		}
		i = j
	}
	return nil
}

// showArgs joins arguments for an error message, showing an empty one as "".
func showArgs(args []string) string {
	shown := make([]string, len(args))
	for i, a := range args {
		shown[i] = a
		if a == "" {
			shown[i] = `""`
		}
	}
	return strings.Join(shown, " ")
}

// directive applies one directive: args[0] is its name, the rest its values.
func (l *loader) directive(args []string) error {
	name, vals := strings.ToLower(args[0]), args[1:]
	if name == "include" && len(vals) == 1 {
		return l.include(vals[0])
	}
	i, ok := lookup(name)
	if !ok {
		switch name {
		case "list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands":
			if len(vals) == 1 {
				return nil
			}
		}
		return errors.New("Bad directive or wrong number of arguments")
	}
	p := table[i]
	if p.flags&multiArg == 0 && len(vals) != 1 {
		return errWrongArgs
	}
	if p.flags&multiArg != 0 && len(vals) == 1 && vals[0] != "" {
		// As in Redis, one argument is split: --save "3600 1 300 100".
		split, ok := splitArgs(vals[0])
		if !ok {
			return errors.New("Unbalanced quotes in configuration line")
		}
		vals = split
	}
	if p.name == "save" {
		if l.saved && !emptyArgs(vals) {
			vals = append(strings.Fields(l.c.vals[i].text), vals...)
		}
		l.saved = true
	}
	v, err := p.parse(vals, l.c.vals[i])
	if err != nil {
		return err
	}
	l.c.vals[i] = v
	return nil
}

// include reads the file at path, or every file matching it if it holds
// glob characters.
func (l *loader) include(path string) error {
	if l.depth >= maxIncludeDepth {
		return errors.New("include nesting too deep")
	}
	paths := []string{path}
	if strings.ContainsAny(path, "*?[") {
		var err error
		if paths, err = filepath.Glob(path); err != nil {
			return err
		}
	}
	l.depth++
	defer func() { l.depth-- }()
	for _, p := range paths {
		if err := l.file(p); err != nil {
			return err
		}
	}
	return nil
}
