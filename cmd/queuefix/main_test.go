package main

import (
	"testing"

	"github.com/queuefix/queuefix/internal/testmain"
)

func TestMain(m *testing.M) { testmain.Run(m, removeMatrixRoot) }
