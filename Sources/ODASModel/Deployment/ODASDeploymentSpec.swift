/// What the `odas:` section of a scenario says about the ODAS cluster on
/// Kubernetes: the namespace and, per component, the replica count, the
/// requests and where its pods may run.
public struct ODASDeploymentSpec: Sendable {
    public struct Component: Sendable {
        public var component: ODASComponent
        public var replicas: Int
        public var cpu: String
        public var memory: String
        /// Zones the pods may run in (nil: any); pinning a service to one zone
        /// is a flaw the az-failure scenarios demonstrate.
        public var zones: [String]?
        /// Spread pods over zones (`topologySpreadConstraints`, maxSkew 1,
        /// ScheduleAnyway so replacements run in surviving zones).
        public var zoneSpread: Bool

        public init(component: ODASComponent, replicas: Int? = nil, cpu: String? = nil, memory: String? = nil,
                    zones: [String]? = nil, zoneSpread: Bool = true) {
            self.component = component
            self.replicas = replicas ?? component.defaultReplicas
            self.cpu = cpu ?? component.defaultRequests.cpu
            self.memory = memory ?? component.defaultRequests.memory
            self.zones = zones
            self.zoneSpread = zoneSpread
        }
    }

    public var namespace: String
    /// Every component, in ``ODASComponent`` order.
    public var components: [Component]
    /// The ODAS image tag (appears in the pods; informational).
    public var version: String

    public init(namespace: String = "okera", components: [Component] = ODASComponent.allCases.map { Component(component: $0) },
                version: String = "2.19") {
        self.namespace = namespace
        self.components = components
        self.version = version
    }

    public func component(_ kind: ODASComponent) -> Component? { components.first { $0.component == kind } }
}
