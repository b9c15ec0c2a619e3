import SimCore

// The wire message types live in SimCore, shared by the AWS adapters here and
// KubeSim's Kubernetes API adapter; these names keep AWSSim's code and its
// users unchanged.
public typealias WireRequest = SimCore.WireRequest
public typealias WireResponse = SimCore.WireResponse
public typealias PercentEncoding = SimCore.PercentEncoding
