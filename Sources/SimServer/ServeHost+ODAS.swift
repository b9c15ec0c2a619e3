import Scenarios
import SimCore

extension ServeHost {
    /// A request to the ODAS REST API (docs/serve.md): the world advances to
    /// virtual now, then runs the request through the simulated deployment.
    public func handleODAS(_ request: WireRequest) -> WireResponse {
        state.withLockedValue { state in
            state.world.advance(to: Self.virtualNow(state.clock))
            return state.world.handleODAS(request)
        }
    }
}
