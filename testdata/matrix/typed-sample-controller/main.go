package main

// main stands in for sample-controller's main.go, which wires up clients
// and informers; the migration did not touch it.
func main() {}
