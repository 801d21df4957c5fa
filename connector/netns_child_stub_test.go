package connector

func runNetnsChild() bool { return false }
