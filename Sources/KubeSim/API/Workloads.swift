/// `apps/v1` Deployment.
public struct Deployment: Hashable, Sendable, Codable {
    public var apiVersion: String? = "apps/v1"
    public var kind: String? = "Deployment"
    public var metadata: ObjectMeta
    public var spec: DeploymentSpec
    public var status: DeploymentStatus?
    public init(metadata: ObjectMeta, spec: DeploymentSpec) { self.metadata = metadata; self.spec = spec }
}

public struct DeploymentSpec: Hashable, Sendable, Codable {
    public var replicas: Int32?
    public var selector: LabelSelector?
    public var template: PodTemplateSpec
    public var strategy: DeploymentStrategy?
    public var minReadySeconds: Int32?
    public var revisionHistoryLimit: Int32?
    public var progressDeadlineSeconds: Int32?
    public var paused: Bool?
    public init(replicas: Int32?, selector: LabelSelector?, template: PodTemplateSpec, strategy: DeploymentStrategy? = nil) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
        self.strategy = strategy
    }
}

public struct DeploymentStrategy: Hashable, Sendable, Codable {
    public var type: String?
    public var rollingUpdate: RollingUpdateDeployment?
    public init(type: String? = "RollingUpdate", rollingUpdate: RollingUpdateDeployment? = nil) {
        self.type = type
        self.rollingUpdate = rollingUpdate
    }
}

public struct RollingUpdateDeployment: Hashable, Sendable, Codable {
    public var maxUnavailable: IntOrString?
    public var maxSurge: IntOrString?
    public init(maxUnavailable: IntOrString? = nil, maxSurge: IntOrString? = nil) {
        self.maxUnavailable = maxUnavailable
        self.maxSurge = maxSurge
    }
}

public struct DeploymentStatus: Hashable, Sendable, Codable {
    public var observedGeneration: Int64?
    public var replicas: Int32?
    public var updatedReplicas: Int32?
    public var readyReplicas: Int32?
    public var availableReplicas: Int32?
    public var unavailableReplicas: Int32?
    public var conditions: [WorkloadCondition]?
    public init() {}
}

/// `apps/v1` ReplicaSet.
public struct ReplicaSet: Hashable, Sendable, Codable {
    public var apiVersion: String? = "apps/v1"
    public var kind: String? = "ReplicaSet"
    public var metadata: ObjectMeta
    public var spec: ReplicaSetSpec
    public var status: ReplicaSetStatus?
    public init(metadata: ObjectMeta, spec: ReplicaSetSpec) { self.metadata = metadata; self.spec = spec }
}

public struct ReplicaSetSpec: Hashable, Sendable, Codable {
    public var replicas: Int32?
    public var selector: LabelSelector?
    public var template: PodTemplateSpec?
    public var minReadySeconds: Int32?
    public init(replicas: Int32?, selector: LabelSelector?, template: PodTemplateSpec?) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
    }
}

public struct ReplicaSetStatus: Hashable, Sendable, Codable {
    public var replicas: Int32
    public var fullyLabeledReplicas: Int32?
    public var readyReplicas: Int32?
    public var availableReplicas: Int32?
    public var observedGeneration: Int64?
    public init(replicas: Int32) { self.replicas = replicas }
}

/// `apps/v1` StatefulSet.
public struct StatefulSet: Hashable, Sendable, Codable {
    public var apiVersion: String? = "apps/v1"
    public var kind: String? = "StatefulSet"
    public var metadata: ObjectMeta
    public var spec: StatefulSetSpec
    public var status: StatefulSetStatus?
    public init(metadata: ObjectMeta, spec: StatefulSetSpec) { self.metadata = metadata; self.spec = spec }
}

public struct StatefulSetSpec: Hashable, Sendable, Codable {
    public var replicas: Int32?
    public var selector: LabelSelector?
    public var template: PodTemplateSpec
    public var serviceName: String?
    public var volumeClaimTemplates: [PersistentVolumeClaim]?
    public var podManagementPolicy: String?
    public var updateStrategy: StatefulSetUpdateStrategy?
    public var minReadySeconds: Int32?
    public init(replicas: Int32?, selector: LabelSelector?, template: PodTemplateSpec, serviceName: String? = nil,
                volumeClaimTemplates: [PersistentVolumeClaim]? = nil, podManagementPolicy: String? = nil) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
        self.serviceName = serviceName
        self.volumeClaimTemplates = volumeClaimTemplates
        self.podManagementPolicy = podManagementPolicy
    }
}

public struct StatefulSetUpdateStrategy: Hashable, Sendable, Codable {
    public var type: String?
}

public struct StatefulSetStatus: Hashable, Sendable, Codable {
    public var observedGeneration: Int64?
    public var replicas: Int32
    public var readyReplicas: Int32?
    public var currentReplicas: Int32?
    public var updatedReplicas: Int32?
    public var availableReplicas: Int32?
    public init(replicas: Int32) { self.replicas = replicas }
}

/// `apps/v1` DaemonSet.
public struct DaemonSet: Hashable, Sendable, Codable {
    public var apiVersion: String? = "apps/v1"
    public var kind: String? = "DaemonSet"
    public var metadata: ObjectMeta
    public var spec: DaemonSetSpec
    public var status: DaemonSetStatus?
    public init(metadata: ObjectMeta, spec: DaemonSetSpec) { self.metadata = metadata; self.spec = spec }
}

public struct DaemonSetSpec: Hashable, Sendable, Codable {
    public var selector: LabelSelector?
    public var template: PodTemplateSpec
    public var minReadySeconds: Int32?
    public init(selector: LabelSelector?, template: PodTemplateSpec) { self.selector = selector; self.template = template }
}

public struct DaemonSetStatus: Hashable, Sendable, Codable {
    public var currentNumberScheduled: Int32
    public var desiredNumberScheduled: Int32
    public var numberMisscheduled: Int32
    public var numberReady: Int32
    public var numberAvailable: Int32?
    public var observedGeneration: Int64?
}

/// `batch/v1` Job.
public struct Job: Hashable, Sendable, Codable {
    public var apiVersion: String? = "batch/v1"
    public var kind: String? = "Job"
    public var metadata: ObjectMeta
    public var spec: JobSpec
    public var status: JobStatus?
    public init(metadata: ObjectMeta, spec: JobSpec) { self.metadata = metadata; self.spec = spec }
}

public struct JobSpec: Hashable, Sendable, Codable {
    public var completions: Int32?
    public var parallelism: Int32?
    public var backoffLimit: Int32?
    public var activeDeadlineSeconds: Int64?
    public var selector: LabelSelector?
    /// `NonIndexed` (the default) or `Indexed`: one succeeded pod per index 0…completions−1.
    public var completionMode: String?
    public var template: PodTemplateSpec
    public init(completions: Int32? = nil, parallelism: Int32? = nil, template: PodTemplateSpec) {
        self.completions = completions
        self.parallelism = parallelism
        self.template = template
    }
}

public struct JobStatus: Hashable, Sendable, Codable {
    public var active: Int32?
    public var succeeded: Int32?
    public var failed: Int32?
    public var startTime: KubeTime?
    public var completionTime: KubeTime?
    public var conditions: [WorkloadCondition]?
    /// Indexed Jobs: the succeeded indexes as ranges (`0-2,4`).
    public var completedIndexes: String?
    public init() {}
}
