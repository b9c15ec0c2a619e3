import SimCore

/// Stack statuses (AWSCloudFormation/latest/UserGuide/view-stack-events.html#cfn-console-view-stack-data-resources-status-codes).
public enum CFNStackStatus: String, Sendable, Codable {
    case createInProgress = "CREATE_IN_PROGRESS", createFailed = "CREATE_FAILED", createComplete = "CREATE_COMPLETE"
    case rollbackInProgress = "ROLLBACK_IN_PROGRESS", rollbackFailed = "ROLLBACK_FAILED", rollbackComplete = "ROLLBACK_COMPLETE"
    case deleteInProgress = "DELETE_IN_PROGRESS", deleteFailed = "DELETE_FAILED", deleteComplete = "DELETE_COMPLETE"
    case reviewInProgress = "REVIEW_IN_PROGRESS"
    case updateInProgress = "UPDATE_IN_PROGRESS", updateCompleteCleanupInProgress = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
    case updateComplete = "UPDATE_COMPLETE", updateFailed = "UPDATE_FAILED"
    case updateRollbackInProgress = "UPDATE_ROLLBACK_IN_PROGRESS", updateRollbackFailed = "UPDATE_ROLLBACK_FAILED"
    case updateRollbackCompleteCleanupInProgress = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
    case updateRollbackComplete = "UPDATE_ROLLBACK_COMPLETE"

    /// No operation is running on the stack.
    public var isSettled: Bool {
        [.createFailed, .createComplete, .rollbackFailed, .rollbackComplete, .deleteFailed, .deleteComplete, .reviewInProgress,
         .updateComplete, .updateFailed, .updateRollbackComplete, .updateRollbackFailed].contains(self)
    }

    /// A stack in this status accepts an update (UpdateStack, an UPDATE change set).
    public var acceptsUpdate: Bool { [.createComplete, .updateComplete, .updateRollbackComplete, .updateFailed].contains(self) }

    /// Resources are being created or updated (creation, or the first phase of an update).
    var isBuilding: Bool { self == .createInProgress || self == .updateInProgress }
}

/// Resource statuses; DELETE_SKIPPED is a retained resource.
public enum CFNResourceStatus: String, Sendable, Codable {
    case createInProgress = "CREATE_IN_PROGRESS", createFailed = "CREATE_FAILED", createComplete = "CREATE_COMPLETE"
    case deleteInProgress = "DELETE_IN_PROGRESS", deleteFailed = "DELETE_FAILED", deleteComplete = "DELETE_COMPLETE"
    case deleteSkipped = "DELETE_SKIPPED"
    case updateInProgress = "UPDATE_IN_PROGRESS", updateComplete = "UPDATE_COMPLETE", updateFailed = "UPDATE_FAILED"

    /// The resource is being made (created, or replaced during an update).
    var isBuilding: Bool { self == .createInProgress || self == .updateInProgress }
    /// The resource exists as the template says (created, or updated).
    var isComplete: Bool { self == .createComplete || self == .updateComplete }
}

/// One stack event (DescribeStackEvents lists them newest first).
public struct CFNStackEvent: Sendable, Equatable, Codable {
    public var eventId: String
    public var stackId: String
    public var stackName: String
    public var logicalResourceId: String
    public var physicalResourceId: String
    public var resourceType: String
    public var timestamp: SimInstant
    public var resourceStatus: String
    public var resourceStatusReason: String?
}

/// A resource of a stack as DescribeStackResources reports it.
public struct CFNStackResource: Sendable, Equatable {
    public var logicalId: String
    public var type: String
    public var physicalId: String?
    public var status: CFNResourceStatus?
    public var statusReason: String?
    public var lastUpdated: SimInstant
    /// Ref and GetAtt values once created.
    public var state: CFNContext.ResourceState?
    /// CreationPolicy / WaitCondition: success signals still needed, and when waiting ends.
    public var signalsNeeded = 0
    public var signalDeadline: SimInstant?
    /// Instances that already sent their boot signal.
    public var signalledBy: [String] = []
}

/// A stack: its template, parameters, status, resources, outputs and events.
public struct CFNStack: Sendable {
    public struct Output: Sendable, Equatable {
        public var key: String
        public var value: String
        public var description: String?
        public var exportName: String?
    }

    public var stackId: String
    public var stackName: String
    public var template: CFNTemplate
    /// Parameter values as given or defaulted (DescribeStacks masks NoEcho ones).
    public var parameters: [(key: String, value: String)]
    public var status: CFNStackStatus
    public var statusReason: String?
    public var creationTime: SimInstant
    public var deletionTime: SimInstant?
    /// ROLLBACK (default), DELETE or DO_NOTHING.
    public var onFailure: String
    public var timeout: SimDuration?
    public var capabilities: [String]
    public var resources: [String: CFNStackResource]
    /// Included resources in creation order (their graph).
    public var graph: CFNGraph
    public var context: CFNContext
    public var outputs: [Output] = []
    /// A nested stack's parent stack and the logical id of its AWS::CloudFormation::Stack resource.
    public var parent: (stackId: String, logicalId: String)?
    /// Why creation failed (kept after the rollback ends; a nested stack's parent quotes it).
    public var failureReason: String?
    /// The top-level stack of a nested one.
    public var rootId: String?
    /// Export names this stack imports (Fn::ImportValue), which its exporters cannot delete.
    public var imports: [String] = []
    public var events: [CFNStackEvent] = []
    /// Each created resource's evaluated properties (what deletion and signals read).
    public var resourceProperties: [String: CFNMap] = [:]
    /// A stack event's running number (deterministic event ids).
    var eventCounter = 0
    /// The update in progress (what it changes, and what a rollback restores).
    var update: CFNStackUpdate?
    /// When the stack was last updated.
    public var lastUpdatedTime: SimInstant?
    /// How many times an update replaced each resource (each replacement gets a fresh generated name).
    var generations: [String: Int] = [:]

    /// The parameter list as DescribeStacks shows it: NoEcho values masked.
    public var describedParameters: [(key: String, value: String)] {
        parameters.map { pair in
            let masked = template.parameters.first { $0.name == pair.key }?.noEcho == true
            return (pair.key, masked ? "****" : pair.value)
        }
    }
}
