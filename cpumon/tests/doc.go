// Package tests holds cpumon's cross-process, cross-host and
// cross-language tests. They build cpumon once, run it as separate
// processes on loopback (or inside network namespaces the tests create
// and remove) beside each other or a Python stand-in of cable_car's
// cpu_mon, and check its -json output. (They were in the library's tests/
// until cpumon became a module of its own.)
//
// Nothing here sends a packet outside 127.0.0.0/8 on the machine's real
// interfaces: cpumon runs with -local or inside namespaces. Tests skip
// with a reason where a tool they need (python3, ip) is missing.
package tests
