/// The client process of each workload kind. Adding a kind adds its process
/// type (a file in `Workloads/`) and one line here.
enum WorkloadProcesses {
    static func make(_ state: ClientState, world: World) -> any ClientProcess {
        switch state.spec.kind {
        case .s3Get, .s3Put: return S3ClientProcess(state, scenario: world.scenario)
        case .dbWrite, .dbRead: return DatabaseClientProcess(state)
        case .http: return HTTPClientProcess(state)
        case .dnsResolve: return DNSClientProcess(state)
        case .eksAPI: return EKSAPIClientProcess(state)
        case .scan: return ScanClientProcess(state)
        case .catalogWrite: return CatalogWriteClientProcess(state)
        }
    }
}
