// Package table keeps cpumon's view of every host (Hosts: the latest stats
// per peer, marked gone when the peer leaves or goes quiet, then dropped)
// and renders it as a text table for a terminal of a given width (Render).
// Both are pure: time is passed in, nothing is printed, nothing runs in the
// background.
//
// The layout is done here rather than with text/tabwriter: fitting a
// terminal width needs the column widths computed anyway (to truncate host
// names with an ellipsis and to compact or drop columns on narrow
// terminals), numbers read best right-aligned while names are left-aligned,
// and tabwriter offers neither per-column alignment nor width caps. Widths
// count runes, as tabwriter does: East Asian wide characters in a host
// name may push a line past the width.
package table
