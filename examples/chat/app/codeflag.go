package app

import (
	"flag"
	"fmt"

	"github.com/cablecar-go/cablecar/joincode"
	"github.com/cablecar-go/cablecar/messenger"
)

// codeFlag is -code: bare (-code) it asks for an invitation (this chat is
// the host and prints a code); with a value (-code 7-guitarist-revenge or
// -code=7-guitarist-revenge) it joins the host of that code.
type codeFlag struct {
	set    bool   // -code was given
	invite bool   // bare: host
	code   string // the typed code, to join
}

func (f *codeFlag) IsBoolFlag() bool { return true }

func (f *codeFlag) String() string {
	switch {
	case f == nil || !f.set:
		return ""
	case f.invite:
		return "invite"
	}
	return "<code>" // never the words
}

// Set takes "true" for a bare -code, or a code.
func (f *codeFlag) Set(s string) error {
	f.set = true
	if s == "true" {
		f.invite, f.code = true, ""
		return nil
	}
	if _, err := joincode.Parse(s); err != nil {
		return err
	}
	f.invite, f.code = false, s
	return nil
}

// finish takes the code from the first argument after a bare -code, and
// parses the flags after it: the flag package reads -code as a boolean
// flag, so "-code 7-guitarist-revenge -lo" leaves the code and -lo among
// the arguments. chat has no arguments, so any other one is a mistake.
func (f *codeFlag) finish(fs *flag.FlagSet) error {
	args := fs.Args()
	if len(args) > 0 && f.set && f.invite {
		if err := f.Set(args[0]); err != nil {
			return fmt.Errorf("-code %s: %w", args[0], err)
		}
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		args = fs.Args()
	}
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q", args[0])
	}
	return nil
}

// errCompatSecret is what -compat says to -code and -password.
var errCompatSecret = fmt.Errorf("-compat cannot be combined with -code or -password: %w", messenger.ErrCompatSecret)

// secureFlags adds -code and -password to fs.
func secureFlags(fs *flag.FlagSet, cfg *config) {
	fs.Var(&cfg.code, "code", "bare: host an invitation and print a join `code` (a new one after each join);\n"+
		"with a code (-code 7-guitarist-revenge): join the host that printed it")
	fs.StringVar(&cfg.password, "password", "", "chat only with peers that have the same `password` (every connection runs a PAKE;\n"+
		"peers without it never connect). Note: other users of this machine can see it in ps")
}

var _ flag.Value = (*codeFlag)(nil)
