// Package rpc stubs csi-lib-utils' capability set.
package rpc

import "github.com/container-storage-interface/spec/lib/go/csi"

type ControllerCapabilitySet map[csi.ControllerServiceCapability_RPC_Type]bool
