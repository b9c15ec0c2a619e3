import SimCore

/// Timings and thresholds of the simulated cluster. Defaults are Kubernetes
/// 1.32's (sources in the comments; see docs/fidelity.md and
/// ../shared/design/kube-anchors.md §3) unless marked as a simulation choice.
public struct KubeConfig: Hashable, Sendable {
    /// kubelet `nodeLeaseDurationSeconds` 40 s
    /// (https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/).
    public var leaseDuration = SimDuration.seconds(40)
    /// Lease renew interval: 25 % of the lease duration = 10 s
    /// (https://kubernetes.io/docs/concepts/architecture/leases/#node-heart-beats).
    public var leaseRenewInterval = SimDuration.seconds(10)
    /// kube-controller-manager `--node-monitor-period` 5 s
    /// (https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/).
    public var nodeMonitorPeriod = SimDuration.seconds(5)
    /// `--node-monitor-grace-period` 50 s since 1.32 (was 40 s; kubernetes/kubernetes PR 126287).
    public var nodeMonitorGracePeriod = SimDuration.seconds(50)
    /// `--node-eviction-rate` 0.1 nodes/s: one NoExecute taint per 10 s per zone.
    public var nodeEvictionInterval = SimDuration.seconds(10)
    /// `--secondary-node-eviction-rate` 0.01 nodes/s: one per 100 s in a partially disrupted large zone.
    public var secondaryNodeEvictionInterval = SimDuration.seconds(100)
    /// `--unhealthy-zone-threshold` 0.55, in per mille to stay integral.
    public var unhealthyZoneThresholdPerMille = 550
    /// `--large-cluster-size-threshold` 50 nodes (per zone).
    public var largeClusterSizeThreshold = 50
    /// DefaultTolerationSeconds admission: `--default-not-ready-toleration-seconds` and
    /// `--default-unreachable-toleration-seconds` 300 s
    /// (https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-based-evictions).
    public var defaultTolerationSeconds: Int64 = 300
    /// Simulation choice: a pod bound to a heartbeating node becomes Running and Ready this long after binding
    /// (image pull, container start and readiness probe collapsed into one delay).
    public var podStartupDelay = SimDuration.seconds(2)
    /// Simulation choice: how long a node takes to pull an image it does not
    /// have yet, before ``podStartupDelay`` (zero: images are on every node).
    /// A node pulls one image at a time (the kubelet's `serializeImagePulls`
    /// default) and keeps what it pulled (`imagePullPolicy: IfNotPresent`).
    public var imagePullTime = SimDuration.zero
    /// Simulation choice: a terminating pod on a heartbeating node is gone this long after deletion
    /// (containers exit promptly on SIGTERM), capped by its grace period.
    public var podTerminationDelay = SimDuration.seconds(1)
    /// Simulation choice: a Job pod succeeds this long after it starts, unless its template carries
    /// the annotation `kubesim.io/run-seconds`.
    public var jobPodRunDuration = SimDuration.seconds(30)
    /// PodGC: orphaned pods (node gone) are force-deleted after this quarantine (podgc controller's
    /// `quarantineTime` 40 s, checked every `gcCheckPeriod` 20 s; pkg/controller/podgc/gc_controller.go).
    public var podGCQuarantine = SimDuration.seconds(40)
    public var podGCPeriod = SimDuration.seconds(20)
    /// ReplicaSet `burstReplicas` 500: at most this many pod creations/deletions per sync
    /// (pkg/controller/replicaset/replica_set.go BurstReplicas).
    public var burstReplicas = 500
    /// Watch log capacity (events kept for `watchEvents(since:)`).
    public var watchLogCapacity = 50_000
    /// Whether Normal-type Events are stored (Warnings always are). Large benchmarks may turn it off.
    public var recordNormalEvents = true

    public init() {}
}
