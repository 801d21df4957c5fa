package connector

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// The firewall check reads the rule sets (`nft -j list ruleset`,
// `iptables-save`) and looks, in the chains incoming packets go through
// (hooks input and prerouting; iptables INPUT and PREROUTING), for the
// first rule that decides the beacon port (udp) or the TCP port: a drop or
// reject is an error, one with further conditions (interface, address,
// connection state) a warning, and so is a policy of drop that no rule
// overrides. Rules of regular chains (reached by a jump) are reported as
// warnings when they drop the port. It is a reading of the rules, not a
// packet-by-packet evaluation; the own-beacon check tells what really
// arrives.

// maxFirewallInput bounds the rule set text the doctor parses.
const maxFirewallInput = 4 << 20

// errFirewallSyntax: a rule set the doctor cannot read.
var errFirewallSyntax = errors.New("connector: unreadable firewall rule set")

// portRange is an inclusive port range.
type portRange struct{ lo, hi int }

// fwRule is one firewall rule as far as the doctor understands it.
type fwRule struct {
	proto   string      // "udp", "tcp", or "" (any)
	ports   []portRange // destination ports; nil means any
	verdict string      // "accept", "drop", "reject", or "" (something else: jump, counter, log)
	cond    bool        // it has further matches (interface, address, state, negations)
	where   string      // "handle 4", "line 7"
}

// fwChain is one chain of rules.
type fwChain struct {
	name       string // "nftables inet filter input", "iptables filter INPUT"
	base       bool   // incoming packets go through it (not a regular chain)
	policyDrop bool
	rules      []fwRule
}

// fwPort is what the firewall check asks about: a protocol and the ports
// that matter (one for the beacon port or a fixed TCP port, the ephemeral
// range for native mode's TCP port).
type fwPort struct {
	proto string
	ports portRange
	what  string // "the beacon port udp 8224"
}

// concerns reports whether the rule applies to p (may apply, when cond).
func (r *fwRule) concerns(p fwPort) bool {
	restricted := r.proto != "" || r.ports != nil
	if r.cond && !restricted {
		return false // "ip saddr 10.1.2.3 drop" is not about our port
	}
	if r.proto != "" && r.proto != p.proto {
		return false
	}
	if r.ports == nil {
		return true
	}
	for _, pr := range r.ports {
		if pr.lo <= p.ports.hi && p.ports.lo <= pr.hi {
			return true
		}
	}
	return false
}

// firewallFindings evaluates the chains for each port.
func firewallFindings(chains []fwChain, ports []fwPort) []Finding {
	var fs []Finding
	add := func(sev Severity, p fwPort, format string, args ...any) {
		fs = append(fs, Finding{Severity: sev, Check: "firewall", Message: fmt.Sprintf(format, args...),
			Advice: "allow " + p.what + " in the firewall (or remove the rule)", Err: fmt.Errorf("%w: %s", ErrFirewall, p.what)})
	}
	for _, p := range ports {
		for _, ch := range chains {
			decided := false
			for _, r := range ch.rules {
				if r.verdict == "" || !r.concerns(p) {
					continue
				}
				if r.verdict == "accept" {
					if !r.cond {
						decided = true
						break
					}
					continue
				}
				switch {
				case !ch.base:
					add(SevWarn, p, "%s (a regular chain, if it is jumped to) %s: rule %s %ss %s", ch.name, condWord(r.cond), r.where, r.verdict, p.what)
				case r.cond:
					add(SevWarn, p, "%s: rule %s %ss %s under further conditions", ch.name, r.where, r.verdict, p.what)
				default:
					add(SevError, p, "%s: rule %s %ss %s", ch.name, r.where, r.verdict, p.what)
					decided = true
				}
				if decided {
					break
				}
			}
			if !decided && ch.base && ch.policyDrop {
				add(SevWarn, p, "%s: policy drop, and no rule accepts %s", ch.name, p.what)
			}
		}
	}
	return fs
}

func condWord(cond bool) string {
	if cond {
		return "under further conditions"
	}
	return "unconditionally"
}

// nftRuleset is the part of `nft -j list ruleset` the doctor reads.
type nftRuleset struct {
	Nftables []struct {
		Chain *struct {
			Family, Table, Name, Hook, Policy, Type string
		} `json:"chain"`
		Rule *struct {
			Family, Table, Chain string
			Handle               int
			Expr                 []map[string]json.RawMessage `json:"expr"`
		} `json:"rule"`
	} `json:"nftables"`
}

// parseNftRuleset reads the JSON of `nft -j list ruleset`.
func parseNftRuleset(b []byte) ([]fwChain, error) {
	if len(b) > maxFirewallInput {
		return nil, fmt.Errorf("%w: %d bytes", errFirewallSyntax, len(b))
	}
	var rs nftRuleset
	if err := json.Unmarshal(b, &rs); err != nil {
		return nil, fmt.Errorf("%w: nft: %v", errFirewallSyntax, err)
	}
	var chains []fwChain
	index := map[string]int{}
	key := func(f, t, c string) string { return f + " " + t + " " + c }
	for _, o := range rs.Nftables {
		if ch := o.Chain; ch != nil {
			index[key(ch.Family, ch.Table, ch.Name)] = len(chains)
			base := ch.Type == "filter" && (ch.Hook == "input" || ch.Hook == "prerouting")
			if ch.Hook != "" && !base {
				index[key(ch.Family, ch.Table, ch.Name)] = -1 // output, forward, nat: not ours
				continue
			}
			chains = append(chains, fwChain{
				name: "nftables " + key(ch.Family, ch.Table, ch.Name), base: base, policyDrop: base && ch.Policy == "drop",
			})
		}
		if r := o.Rule; r != nil {
			i, ok := index[key(r.Family, r.Table, r.Chain)]
			if !ok || i < 0 {
				continue
			}
			chains[i].rules = append(chains[i].rules, nftRule(r.Expr, r.Handle))
		}
	}
	return chains, nil
}

// nftRule reads one rule's expressions.
func nftRule(exprs []map[string]json.RawMessage, handle int) fwRule {
	r := fwRule{where: "handle " + strconv.Itoa(handle)}
	for _, e := range exprs {
		for k, v := range e {
			switch k {
			case "accept", "drop", "reject":
				r.verdict = k
			case "counter", "log", "limit":
				// no effect on the verdict
			case "match":
				nftMatch(v, &r)
			default: // jump, goto, queue, meta set, ...
				if r.verdict == "" {
					r.cond = r.cond || k != "jump" && k != "goto"
				}
			}
		}
	}
	return r
}

// nftMatch reads one match expression into r.
func nftMatch(v json.RawMessage, r *fwRule) {
	var m struct {
		Op    string
		Left  map[string]json.RawMessage
		Right json.RawMessage
	}
	if json.Unmarshal(v, &m) != nil || m.Op != "==" && m.Op != "in" {
		r.cond = true
		return
	}
	if p, ok := m.Left["payload"]; ok {
		var pl struct{ Protocol, Field string }
		if json.Unmarshal(p, &pl) == nil {
			switch {
			case pl.Field == "dport" && (pl.Protocol == "udp" || pl.Protocol == "tcp" || pl.Protocol == "th"):
				if pl.Protocol != "th" {
					r.proto = pl.Protocol
				}
				if ports, ok := nftPorts(m.Right); ok {
					r.ports = append(r.ports, ports...)
					return
				}
			case pl.Field == "protocol" && (pl.Protocol == "ip" || pl.Protocol == "ip6"):
				if s, ok := nftString(m.Right); ok && (s == "udp" || s == "tcp") {
					r.proto = s
					return
				}
			}
		}
	}
	if mk, ok := m.Left["meta"]; ok {
		var meta struct{ Key string }
		if json.Unmarshal(mk, &meta) == nil && meta.Key == "l4proto" {
			if s, ok := nftString(m.Right); ok && (s == "udp" || s == "tcp") {
				r.proto = s
				return
			}
		}
	}
	r.cond = true
}

func nftString(v json.RawMessage) (string, bool) {
	var s string
	return s, json.Unmarshal(v, &s) == nil
}

// nftPorts reads a port, a range, or an anonymous set of them.
func nftPorts(v json.RawMessage) ([]portRange, bool) {
	var n int
	if json.Unmarshal(v, &n) == nil {
		return []portRange{{n, n}}, true
	}
	var o struct {
		Range []int             `json:"range"`
		Set   []json.RawMessage `json:"set"`
	}
	if json.Unmarshal(v, &o) != nil {
		return nil, false
	}
	if len(o.Range) == 2 {
		return []portRange{{o.Range[0], o.Range[1]}}, true
	}
	if o.Set == nil {
		return nil, false
	}
	var out []portRange
	for _, e := range o.Set {
		p, ok := nftPorts(e)
		if !ok {
			return nil, false
		}
		out = append(out, p...)
	}
	return out, true
}

// parseIptablesSave reads the output of iptables-save.
func parseIptablesSave(b []byte) ([]fwChain, error) {
	if len(b) > maxFirewallInput {
		return nil, fmt.Errorf("%w: %d bytes", errFirewallSyntax, len(b))
	}
	var chains []fwChain
	index := map[string]int{}
	table := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch {
		case strings.HasPrefix(f[0], "*"):
			table = f[0][1:]
		case strings.HasPrefix(f[0], ":") && len(f) >= 2:
			name := f[0][1:]
			base := name == "INPUT" || name == "PREROUTING"
			if (base && table != "filter" && table != "raw" && table != "mangle") ||
				name == "OUTPUT" || name == "FORWARD" || name == "POSTROUTING" {
				index[table+" "+name] = -1
				continue
			}
			index[table+" "+name] = len(chains)
			chains = append(chains, fwChain{name: "iptables " + table + " " + name, base: base, policyDrop: base && f[1] == "DROP"})
		case f[0] == "-A" && len(f) >= 2:
			i, ok := index[table+" "+f[1]]
			if !ok || i < 0 {
				continue
			}
			chains[i].rules = append(chains[i].rules, iptablesRule(f[2:], line))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: iptables-save: %v", errFirewallSyntax, err)
	}
	return chains, nil
}

// iptablesRule reads the arguments of one -A line.
func iptablesRule(args []string, line int) fwRule {
	r := fwRule{where: "line " + strconv.Itoa(line)}
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() string {
			if i+1 < len(args) {
				i++
				return args[i]
			}
			return ""
		}
		switch a {
		case "-p", "--protocol":
			if p := next(); p == "udp" || p == "tcp" {
				r.proto = p
			} else {
				r.cond = true
			}
		case "--dport", "--destination-port", "--dports", "--destination-ports":
			for _, s := range strings.Split(next(), ",") {
				lo, hi, isRange := strings.Cut(s, ":")
				l, err1 := strconv.Atoi(lo)
				h, err2 := l, error(nil)
				if isRange {
					h, err2 = strconv.Atoi(hi)
				}
				if err1 != nil || err2 != nil {
					r.cond = true
					continue
				}
				r.ports = append(r.ports, portRange{l, h})
			}
		case "-m", "--match":
			if m := next(); m != "udp" && m != "tcp" && m != "multiport" && m != "comment" {
				r.cond = true
			}
		case "--comment":
			next()
		case "-j", "--jump":
			switch t := next(); t {
			case "ACCEPT":
				r.verdict = "accept"
			case "DROP":
				r.verdict = "drop"
			case "REJECT":
				r.verdict = "reject"
			}
			return r // the target's own options follow
		case "-g", "--goto":
			return r
		default:
			r.cond = true // -i, -s, !, --state, ... and their values
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
			}
		}
	}
	return r
}

// checkFirewall runs the tools that exist and adds their findings.
func (d *doctor) checkFirewall(ctx context.Context) {
	var ports []fwPort
	if !d.cfg.DiscoveryOnly {
		ports = append(ports, fwPort{"udp", portRange{d.cfg.UDPPort, d.cfg.UDPPort}, fmt.Sprintf("the beacon port udp %d", d.cfg.UDPPort)})
	}
	if d.cfg.TCPPort != 0 {
		ports = append(ports, fwPort{"tcp", portRange{d.cfg.TCPPort, d.cfg.TCPPort}, fmt.Sprintf("tcp %d (connections)", d.cfg.TCPPort)})
	} else {
		lo, hi := ephemeralPorts()
		ports = append(ports, fwPort{"tcp", portRange{lo, hi}, fmt.Sprintf("incoming tcp to ephemeral ports %d-%d (connections)", lo, hi)})
	}
	if d.cfg.Loopback {
		d.add(SevInfo, "firewall", nil, "", "Loopback: firewall rules not read (traffic stays on lo)")
		return
	}
	tools := []struct {
		name  string
		args  []string
		parse func([]byte) ([]fwChain, error)
	}{
		{"nft", []string{"-j", "list", "ruleset"}, parseNftRuleset},
		{"iptables-save", nil, parseIptablesSave},
	}
	ran := 0
	before := len(d.rep.Findings)
	for _, t := range tools {
		path, err := exec.LookPath(t.name)
		if err != nil {
			continue
		}
		tctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		out, err := exec.CommandContext(tctx, path, t.args...).Output()
		cancel()
		if err != nil {
			d.add(SevInfo, "firewall", nil, "run the doctor as root to read the firewall", "%s could not be run: %v", t.name, err)
			continue
		}
		chains, err := t.parse(out)
		if err != nil {
			d.add(SevInfo, "firewall", nil, "", "%s: %v", t.name, err)
			continue
		}
		ran++
		for _, f := range firewallFindings(chains, ports) {
			if !containsMessage(d.rep.Findings[before:], f) {
				d.rep.Findings = append(d.rep.Findings, f)
			}
		}
	}
	switch {
	case ran == 0:
		d.add(SevInfo, "firewall", nil, "", "neither nft nor iptables-save could be run: firewall not checked")
	case len(d.rep.Findings) == before:
		d.add(SevOK, "firewall", nil, "", "no nftables or iptables rule drops the beacon or TCP ports")
	}
}

// containsMessage reports whether fs has f's message (iptables-nft
// shows the nftables rules a second time).
func containsMessage(fs []Finding, f Finding) bool {
	for _, g := range fs {
		if g.Message == f.Message {
			return true
		}
	}
	return false
}
