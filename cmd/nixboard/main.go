// Command nixboard is a terminal wizard that takes a person from a machine with
// little or nothing set up to a working home-manager environment.
package main

import "os"

func main() {
	os.Exit(Main(os.Args[1:]))
}
