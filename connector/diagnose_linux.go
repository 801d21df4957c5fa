//go:build linux

package connector

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ephemeralPorts returns the range ports of ephemeral binds are drawn
// from (net.ipv4.ip_local_port_range).
func ephemeralPorts() (lo, hi int) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			l, err1 := strconv.Atoi(f[0])
			h, err2 := strconv.Atoi(f[1])
			if err1 == nil && err2 == nil && l <= h {
				return l, h
			}
		}
	}
	return 32768, 60999
}

// portHolder names the process that holds a port, as " (pid 123, name)",
// or returns "" when it cannot be found out (another user's process, not
// root). proto is "udp" or "tcp".
func portHolder(proto string, port int) string {
	inode := socketInode("/proc/net/"+proto, port)
	if inode == "" {
		return ""
	}
	want := "socket:[" + inode + "]"
	procs, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range procs {
		if l, err := os.Readlink(fd); err == nil && l == want {
			pid := strings.Split(fd, "/")[2]
			comm, _ := os.ReadFile("/proc/" + pid + "/comm")
			return fmt.Sprintf(" (pid %s, %s)", pid, strings.TrimSpace(string(comm)))
		}
	}
	return ""
}

// socketInode finds the inode of the socket bound to port in a
// /proc/net/{udp,tcp} table (a listening one for tcp).
func socketInode(table string, port int) string {
	f, err := os.Open(table)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	suffix := fmt.Sprintf(":%04X", port)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 10 || !strings.HasSuffix(fs[1], suffix) {
			continue
		}
		if strings.HasSuffix(table, "tcp") && fs[3] != "0A" { // LISTEN
			continue
		}
		return fs[9]
	}
	return ""
}
