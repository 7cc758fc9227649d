// Package csi stubs the one CSI spec constant the clone controller uses.
package csi

type ControllerServiceCapability_RPC_Type int32

const ControllerServiceCapability_RPC_CLONE_VOLUME ControllerServiceCapability_RPC_Type = 7
