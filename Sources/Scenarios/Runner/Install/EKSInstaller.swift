import SimCore

/// Installs ODAS onto an existing EKS cluster and managed node group (the
/// scenario's `compute.eks`): the manifests are applied through the
/// Kubernetes API (as `kubectl apply` or Helm would), then the installer
/// waits until every service has its replicas ready and every LoadBalancer
/// Service answers through its load balancer (provisioned, targets healthy:
/// what `helm --wait` plus a reachability check would). EKS's control plane is
/// managed (three AZs), so the API is there unless the region is down; the
/// installer retries every 30 s while it is not.
struct EKSInstaller: WorldInstaller {
    static let retry = SimDuration.seconds(30)
    /// What the installer last said it waits for (said once per change).
    var waitingFor: String?

    mutating func start(world: inout World) {
        apply(world: &world)
    }

    mutating func timer(_ token: Int, world: inout World) {
        apply(world: &world)
    }

    mutating func observe(_ change: InstallObservation, world: inout World) {
        switch change {
        case .odasReady, .loadBalancersChanged:
            guard world.odasReadyAnnounced.contains(0) else { return }
            if let pending = world.serviceLoadBalancersPending() {
                if pending != waitingFor {
                    waitingFor = pending
                    world.installPhase("ODAS services ready; waiting for their load balancers: \(pending)")
                }
                return
            }
            world.installationSucceeded()
        default: return
        }
    }

    mutating func apply(world: inout World) {
        let cluster = world.scenario.network.eks?.name ?? "the cluster"
        let up = world.scenario.network.eks.map { world.eks.isControlPlaneAvailable($0.name, faults: world.faults) } ?? false
        guard up else {
            world.installPhase("EKS cluster \(cluster): API endpoint unreachable; retrying in 30s")
            world.installerTimer(0, after: Self.retry)
            return
        }
        if let error = world.deployODAS() {
            world.installPhase("applying the ODAS manifests to \(cluster) failed: \(error); retrying in 30s")
            world.installerTimer(0, after: Self.retry)
            return
        }
        world.installPhase("ODAS manifests applied to EKS cluster \(cluster); waiting for every service to be ready")
    }
}
