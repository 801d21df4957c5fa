// Package screen redraws cpumon's table in place on a terminal: it switches
// to the terminal's alternate screen (as top and less do) and hides the
// cursor on the first frame, rewrites the whole frame each time, and on
// Close shows the cursor and goes back to the normal screen, leaving the
// user's terminal as it was. When the output is not a terminal (a pipe, a
// file) it writes the frames one after the other, with no control codes.
package screen
