// Package tests holds cablecar's cross-process, cross-host and cross-language
// tests. They build the programs under examples/ once (examples/chat from its
// own module's directory), run them as separate processes on loopback (or
// inside network namespaces the tests create and remove), and check what they
// print. cpumon's are in cpumon/tests, in cpumon's module.
//
// Nothing here sends a packet outside 127.0.0.0/8 on the machine's real
// interfaces: programs run with their loopback flags (-lo, -local) or inside
// namespaces. Tests skip with a reason where a tool they need (python3, ip,
// xvfb-run) is missing.
package tests
