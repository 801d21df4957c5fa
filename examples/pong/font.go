package main

// glyphs is a 3x5 pixel font for the HUD: each glyph is 5 rows of 3 bits,
// the high bit on the left.
var glyphs = map[rune][5]uint8{
	'0': {7, 5, 5, 5, 7}, '1': {2, 6, 2, 2, 7}, '2': {7, 1, 7, 4, 7}, '3': {7, 1, 7, 1, 7},
	'4': {5, 5, 7, 1, 1}, '5': {7, 4, 7, 1, 7}, '6': {7, 4, 7, 5, 7}, '7': {7, 1, 1, 1, 1},
	'8': {7, 5, 7, 5, 7}, '9': {7, 5, 7, 1, 7},
	'A': {2, 5, 7, 5, 5}, 'B': {6, 5, 6, 5, 6}, 'C': {3, 4, 4, 4, 3}, 'D': {6, 5, 5, 5, 6},
	'E': {7, 4, 6, 4, 7}, 'F': {7, 4, 6, 4, 4}, 'G': {3, 4, 5, 5, 3}, 'H': {5, 5, 7, 5, 5},
	'I': {7, 2, 2, 2, 7}, 'J': {1, 1, 1, 5, 2}, 'K': {5, 5, 6, 5, 5}, 'L': {4, 4, 4, 4, 7},
	'M': {5, 7, 7, 5, 5}, 'N': {6, 5, 5, 5, 5}, 'O': {2, 5, 5, 5, 2}, 'P': {6, 5, 6, 4, 4},
	'Q': {2, 5, 5, 6, 3}, 'R': {6, 5, 6, 5, 5}, 'S': {3, 4, 2, 1, 6}, 'T': {7, 2, 2, 2, 2},
	'U': {5, 5, 5, 5, 7}, 'V': {5, 5, 5, 5, 2}, 'W': {5, 5, 7, 7, 5}, 'X': {5, 5, 2, 5, 5},
	'Y': {5, 5, 2, 2, 2}, 'Z': {7, 1, 2, 4, 7},
	'.': {0, 0, 0, 0, 2}, ':': {0, 2, 0, 2, 0}, '/': {1, 1, 2, 4, 4}, '-': {0, 0, 7, 0, 0},
}

// textPixels calls dot for every lit pixel of s drawn at (x, y) with each
// font pixel scale x scale screen pixels. Lower-case letters are drawn as
// upper-case; unknown runes as blanks. Each glyph is 4 font pixels wide
// with the gap.
func textPixels(s string, x, y, scale int, dot func(x, y, w, h int)) {
	for i, r := range []rune(s) {
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		g, ok := glyphs[r]
		if !ok {
			continue
		}
		gx := x + i*4*scale
		for row, bits := range g {
			for col := 0; col < 3; col++ {
				if bits&(4>>col) != 0 {
					dot(gx+col*scale, y+row*scale, scale, scale)
				}
			}
		}
	}
}

// textWidth is the width in screen pixels of s drawn by textPixels.
func textWidth(s string, scale int) int {
	n := len([]rune(s))
	if n == 0 {
		return 0
	}
	return (4*n - 1) * scale
}
