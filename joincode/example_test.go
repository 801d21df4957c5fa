package joincode_test

import (
	"errors"
	"fmt"

	"github.com/cablecar-go/cablecar/joincode"
)

// The host picks the lowest nameplate nobody on the LAN uses for its app
// id, makes a code, shows it to its user and advertises the nameplate
// only.
func ExampleGenerate() {
	inUse := []int{1, 2, 4} // heard in the beacons of this app id
	np, err := joincode.LowestFree(inUse)
	if err != nil {
		panic(err)
	}
	code, err := joincode.Generate(np, 0)
	if err != nil {
		panic(err)
	}
	fmt.Println("advertise nameplate", code.Nameplate())
	fmt.Println("words:", code.Len())
	// Output:
	// advertise nameplate 3
	// words: 2
}

func ExampleParse() {
	code, err := joincode.Parse(" 7 Guitarist  Revenge ")
	if err != nil {
		panic(err)
	}
	fmt.Println(code.Reveal(), code.Nameplate(), code.Secret())

	_, err = joincode.Parse("7-revenge-guitarist")
	var ce *joincode.CodeError
	if errors.Is(err, joincode.ErrBadCode) && errors.As(err, &ce) {
		fmt.Println("word", ce.Pos, "is wrong:", err)
	}
	// Output:
	// 7-guitarist-revenge 7 guitarist-revenge
	// word 1 is wrong: joincode: bad code: word 1 "revenge": word from the wrong list for this position: a word was dropped or two were swapped
}

func ExampleComplete() {
	fmt.Println(joincode.Complete("7-guit"))
	fmt.Println(joincode.Complete("7-guitarist-reve"))
	// Output:
	// [guitarist]
	// [revenge]
}

func ExampleLowestFree() {
	np, _ := joincode.LowestFree([]int{3, 1, 2, 5})
	fmt.Println(np)
	// Output: 4
}
